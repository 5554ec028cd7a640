/* The liburing column of `./x bench uring`: the loops of uring/benches/ring.rs written in C on
 * liburing, call for call, for callgrind to count (ci/bench/uring.sh builds and runs it).
 *
 *   uring-liburing nop N B batch|split       N rounds of B NOPs (B <= 32), ring of 32
 *   uring-liburing read N MODE batch|split   N 4 KiB page-cached random reads at QD 32,
 *                                            MODE = plain | fixedbuf | fixedfile | both
 *
 * Loop styles, as in ring.rs:
 *   batch  push, submit_and_wait, reap the whole batch into an array, advance the CQ, push the
 *          refills;
 *   split  push, submit_and_wait, push one refill per CQE while iterating the CQ, advance.
 * The measured functions are `nop_loop_c`, `nop_split_loop_c`, `read_loop_c`,
 * `read_split_loop_c` (callgrind --toggle-collect). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define QD 32
#define BLOCK 4096
#define FILE_SIZE (64u << 20)

enum mode { PLAIN, FIXEDBUF, FIXEDFILE, BOTH };

static void die(const char *what, int err) {
	fprintf(stderr, "uring-liburing: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* As Rust's black_box: the CQE's fields are used, nothing else is forced to memory. */
#define USE(cqe) __asm__ volatile("" : : "r"((cqe)->user_data), "r"((cqe)->res))

static inline void push_nop(struct io_uring *ring) {
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	if (!sqe)
		die("get_sqe", 16);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 0x42);
}

static void nops(struct io_uring *ring, unsigned batch, unsigned long rounds) {
	for (unsigned long r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < batch; i++)
			push_nop(ring);
		int ret = io_uring_submit_and_wait(ring, batch);
		if (ret < 0)
			die("submit_and_wait", ret);
		unsigned head, n = 0;
		struct io_uring_cqe *cqe;
		io_uring_for_each_cqe(ring, head, cqe) {
			USE(cqe);
			n++;
		}
		io_uring_cq_advance(ring, n);
	}
}

static void nops_split(struct io_uring *ring, unsigned batch, unsigned long rounds) {
	for (unsigned i = 0; i < batch; i++)
		push_nop(ring);
	for (unsigned long round = 1; round <= rounds; round++) {
		int ret = io_uring_submit_and_wait(ring, batch);
		if (ret < 0)
			die("submit_and_wait", ret);
		unsigned head, n = 0;
		struct io_uring_cqe *cqe;
		io_uring_for_each_cqe(ring, head, cqe) {
			USE(cqe);
			n++;
			if (round < rounds)
				push_nop(ring);
		}
		io_uring_cq_advance(ring, n);
	}
}

__attribute__((noinline)) void nop_loop_c(struct io_uring *ring, unsigned batch,
					  unsigned long rounds) {
	nops(ring, batch, rounds);
}

__attribute__((noinline)) void nop_split_loop_c(struct io_uring *ring, unsigned batch,
						unsigned long rounds) {
	nops_split(ring, batch, rounds);
}

/* xorshift64*, as ring.rs's `Offsets`. */
static inline uint64_t next_offset(uint64_t *s) {
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	uint64_t r = *s * 0x2545F4914F6CDD1DULL;
	return (r % (FILE_SIZE / BLOCK)) * BLOCK;
}

static inline void push_read(struct io_uring *ring, enum mode mode, int fd, char *bufs,
			     unsigned slot, uint64_t off) {
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	if (!sqe)
		die("get_sqe", 16);
	char *buf = bufs + (size_t)slot * BLOCK;
	switch (mode) {
	case PLAIN:
		io_uring_prep_read(sqe, fd, buf, BLOCK, off);
		break;
	case FIXEDBUF:
		io_uring_prep_read_fixed(sqe, fd, buf, BLOCK, off, slot);
		break;
	case FIXEDFILE:
		io_uring_prep_read(sqe, 0, buf, BLOCK, off);
		sqe->flags |= IOSQE_FIXED_FILE;
		break;
	case BOTH:
		io_uring_prep_read_fixed(sqe, 0, buf, BLOCK, off, slot);
		sqe->flags |= IOSQE_FIXED_FILE;
		break;
	}
	io_uring_sqe_set_data64(sqe, slot);
}

#define CHECK(cqe)                                                                            \
	do {                                                                                  \
		if ((cqe)->res != BLOCK)                                                      \
			die("read", (cqe)->res < 0 ? (cqe)->res : 5);                         \
	} while (0)

__attribute__((noinline)) void read_loop_c(struct io_uring *ring, enum mode mode, int fd,
					   char *bufs, unsigned long total) {
	uint64_t offs = 0x9E3779B97F4A7C15ULL;
	for (unsigned slot = 0; slot < QD; slot++)
		push_read(ring, mode, fd, bufs, slot, next_offset(&offs));
	unsigned long issued = QD, done = 0;
	unsigned slots[QD];
	while (done < total) {
		int ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0)
			die("submit_and_wait", ret);
		unsigned head, n = 0;
		struct io_uring_cqe *cqe;
		io_uring_for_each_cqe(ring, head, cqe) {
			CHECK(cqe);
			slots[n++] = (unsigned)cqe->user_data;
		}
		io_uring_cq_advance(ring, n);
		done += n;
		for (unsigned i = 0; i < n; i++) {
			if (issued < total) {
				push_read(ring, mode, fd, bufs, slots[i], next_offset(&offs));
				issued++;
			}
		}
	}
}

__attribute__((noinline)) void read_split_loop_c(struct io_uring *ring, enum mode mode, int fd,
						 char *bufs, unsigned long total) {
	uint64_t offs = 0x9E3779B97F4A7C15ULL;
	for (unsigned slot = 0; slot < QD; slot++)
		push_read(ring, mode, fd, bufs, slot, next_offset(&offs));
	unsigned long issued = QD, done = 0;
	while (done < total) {
		int ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0)
			die("submit_and_wait", ret);
		unsigned head, n = 0;
		struct io_uring_cqe *cqe;
		io_uring_for_each_cqe(ring, head, cqe) {
			CHECK(cqe);
			n++;
			if (issued < total) {
				push_read(ring, mode, fd, bufs, (unsigned)cqe->user_data,
					  next_offset(&offs));
				issued++;
			}
		}
		io_uring_cq_advance(ring, n);
		done += n;
	}
}

/* A 64 MiB file of 0xA5 bytes, unlinked, written and synced (so in the page cache). */
static int page_cached_file(void) {
	char path[64];
	snprintf(path, sizeof path, "/tmp/uring-liburing-bench-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("open", errno);
	unlink(path);
	static char chunk[1 << 20];
	memset(chunk, 0xA5, sizeof chunk);
	for (unsigned i = 0; i < FILE_SIZE >> 20; i++)
		if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
			die("write", errno);
	if (fsync(fd) < 0)
		die("fsync", errno);
	return fd;
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: %s nop N B batch|split | read N MODE batch|split\n", argv[0]);
		return 2;
	}
	unsigned long n = strtoul(argv[2], NULL, 10);
	int split = strcmp(argv[4], "split") == 0;
	struct io_uring ring;
	int ret = io_uring_queue_init(QD, &ring, 0);
	if (ret < 0)
		die("queue_init", ret);
	if (strcmp(argv[1], "nop") == 0) {
		unsigned batch = (unsigned)strtoul(argv[3], NULL, 10);
		if (batch < 1 || batch > QD)
			die("batch must be 1..=32", 22);
		if (split) {
			nops_split(&ring, batch, 100);
			nop_split_loop_c(&ring, batch, n);
		} else {
			nops(&ring, batch, 100);
			nop_loop_c(&ring, batch, n);
		}
	} else {
		enum mode mode = PLAIN;
		if (strcmp(argv[3], "fixedbuf") == 0)
			mode = FIXEDBUF;
		else if (strcmp(argv[3], "fixedfile") == 0)
			mode = FIXEDFILE;
		else if (strcmp(argv[3], "both") == 0)
			mode = BOTH;
		int fd = page_cached_file();
		char *bufs = aligned_alloc(BLOCK, QD * BLOCK);
		if (!bufs)
			die("aligned_alloc", 12);
		memset(bufs, 0, QD * BLOCK);
		if (mode == FIXEDBUF || mode == BOTH) {
			struct iovec iov[QD];
			for (unsigned i = 0; i < QD; i++) {
				iov[i].iov_base = bufs + (size_t)i * BLOCK;
				iov[i].iov_len = BLOCK;
			}
			ret = io_uring_register_buffers(&ring, iov, QD);
			if (ret < 0)
				die("register_buffers", ret);
		}
		if (mode == FIXEDFILE || mode == BOTH) {
			ret = io_uring_register_files(&ring, &fd, 1);
			if (ret < 0)
				die("register_files", ret);
		}
		if (split)
			read_split_loop_c(&ring, mode, fd, bufs, n);
		else
			read_loop_c(&ring, mode, fd, bufs, n);
	}
	io_uring_queue_exit(&ring);
	return 0;
}
