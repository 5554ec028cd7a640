/* The C reference for benches/epoll.rs: the same rounds (1,000 pipes, 64 made ready per round,
 * each event's byte read) written directly on <sys/epoll.h>. ci/bench/epoll.sh builds it with
 * `cc -O2` and counts its user-space instructions per event with callgrind.
 *
 * usage: raw_epoll ROUNDS lt|et */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/epoll.h>

#define PIPES 1000
#define READY 64

static int rfd[PIPES], wfd[PIPES];

__attribute__((noinline)) static unsigned long rounds_c(int ep, unsigned long rounds) {
    struct epoll_event events[256];
    unsigned long total = 0;
    for (unsigned long round = 0; round < rounds; round++) {
        for (unsigned long k = 0; k < READY; k++) {
            unsigned long i = (round * READY + k) % PIPES;
            if (write(wfd[i], "x", 1) != 1) abort();
        }
        unsigned long got = 0;
        while (got < READY) {
            int n = epoll_wait(ep, events, 256, -1);
            if (n < 0) abort();
            for (int j = 0; j < n; j++) {
                char b;
                if (read(rfd[events[j].data.u64], &b, 1) != 1) abort();
                got++;
            }
        }
        total += got;
    }
    return total;
}

int main(int argc, char **argv) {
    unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
    int edge = argc > 2 && strcmp(argv[2], "et") == 0;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) abort();
    for (int i = 0; i < PIPES; i++) {
        int p[2];
        if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) abort();
        rfd[i] = p[0];
        wfd[i] = p[1];
        struct epoll_event ev = {.events = EPOLLIN | (edge ? EPOLLET : 0), .data.u64 = i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) abort();
    }
    unsigned long n = rounds_c(ep, rounds);
    printf("c %s: %lu events\n", edge ? "Edge" : "Level", n);
    return 0;
}
