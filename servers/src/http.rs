//! What the example HTTP servers share (`echo_epoll --http`, `http_uring`, `runtime --http`, and
//! `http_mio`, the mio reference of the `wrk` bench): the canned reply and the request-head
//! scan, one copy so the servers the benches compare do the same work per request.

/// The canned HTTP/1.1 reply (keep-alive), sent once per request head.
pub const HELLO: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

/// The length of the first request head in `b`, through its `\r\n\r\n`. A skip search: a
/// byte that is neither `\r` nor `\n` cannot be in a match, so the next possible end is 4
/// bytes on (a request line of ~40 bytes takes ~12 looks, where a 4-byte window at every
/// offset took ~150 instructions a request). `#[inline]` so each server's loop gets it inlined
/// as when it had its own copy.
#[inline]
pub fn find_head_end(b: &[u8]) -> Option<usize> {
    // `i`: where the last `\n` of a match would be.
    let mut i = 3;
    while i < b.len() {
        match b[i] {
            b'\n' if &b[i - 3..i] == b"\r\n\r" => return Some(i + 1),
            b'\n' => i += 2,
            b'\r' => i += 1,
            _ => i += 4,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find_head_end;

    /// The reference: the first `\r\n\r\n` by a window at every offset.
    fn naive(b: &[u8]) -> Option<usize> {
        b.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
    }

    #[test]
    fn finds_the_first_head() {
        let req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        assert_eq!(find_head_end(req), Some(req.len()));
        let two = [&req[..], &req[..]].concat();
        assert_eq!(find_head_end(&two), Some(req.len()));
        assert_eq!(find_head_end(&req[..req.len() - 1]), None);
        assert_eq!(find_head_end(b""), None);
        assert_eq!(find_head_end(b"\r\n\r\n"), Some(4));
        assert_eq!(find_head_end(b"\n\r\n\r\n"), Some(5));
    }

    /// Every string over `\r`, `\n` and one other byte up to length 9 (the skip steps'
    /// corner cases), against the naive scan.
    #[test]
    fn agrees_with_a_window_at_every_offset() {
        let alphabet = [b'\r', b'\n', b'a'];
        for len in 0..=9u32 {
            for mut code in 0..3usize.pow(len) {
                let mut s = Vec::with_capacity(len as usize);
                for _ in 0..len {
                    s.push(alphabet[code % 3]);
                    code /= 3;
                }
                assert_eq!(find_head_end(&s), naive(&s), "{s:?}");
            }
        }
    }
}
