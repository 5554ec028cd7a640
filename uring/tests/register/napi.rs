//! NAPI busy-poll settings, and the clock of CQ wait timeouts.

use std::time::{Duration, Instant};

use uring::Ring;
use uring::register::{Clock, Napi, NapiTracking};

use super::*;

#[test]
fn napi_settings_round_trip() {
    let ring = Ring::new(2).unwrap();
    let s = ring.submitter();
    let a = Napi {
        busy_poll_timeout_us: 100,
        prefer_busy_poll: true,
        tracking: NapiTracking::DYNAMIC,
    };
    let r = s.register_napi(a);
    if unsupported(&r, "napi_settings_round_trip") {
        return;
    }
    let before = r.unwrap();
    assert_eq!(
        (before.busy_poll_timeout_us, before.prefer_busy_poll),
        (0, false),
        "no NAPI settings before: {before:?}"
    );
    let b = Napi {
        busy_poll_timeout_us: 250,
        prefer_busy_poll: false,
        tracking: NapiTracking::STATIC,
    };
    let r = s.register_napi(b);
    if let Err(e) = &r {
        if errno(e) == Some(libc::EINVAL) {
            s.unregister_napi().unwrap();
            util::skip(
                "napi_settings_round_trip",
                format!("the kernel refused static NAPI tracking (Linux 6.13+): {e}"),
            );
            return;
        }
    }
    assert_eq!(r.unwrap(), a, "returns the previous settings");
    // Static tracking keeps a list of ids: adding twice is EEXIST, removing twice ENOENT.
    let id = 0x7fff_0000;
    s.register_napi_add_id(id).unwrap();
    assert_errno(
        s.register_napi_add_id(id),
        libc::EEXIST,
        "IORING_REGISTER_NAPI",
    );
    s.register_napi_del_id(id).unwrap();
    assert_errno(
        s.register_napi_del_id(id),
        libc::ENOENT,
        "IORING_REGISTER_NAPI",
    );
    // Ids below the NAPI id range are invalid.
    assert_errno(
        s.register_napi_add_id(1),
        libc::EINVAL,
        "IORING_REGISTER_NAPI",
    );
    // Registering again reports the previous settings, the tracking strategy included.
    assert_eq!(s.register_napi(b).unwrap(), b);
    let had = s.unregister_napi().unwrap();
    assert_eq!(
        (had.busy_poll_timeout_us, had.prefer_busy_poll),
        (250, false),
        "unregister returns the settings it had"
    );
    // Dynamic tracking has no static list.
    s.register_napi(a).unwrap();
    assert_errno(
        s.register_napi_add_id(id),
        libc::EINVAL,
        "IORING_REGISTER_NAPI",
    );
    s.unregister_napi().unwrap();
}

#[test]
fn clock_boottime_and_monotonic_are_accepted_realtime_is_not() {
    let ring = Ring::new(2).unwrap();
    let s = ring.submitter();
    let r = s.register_clock(Clock::Boottime);
    if unsupported(&r, "clock") {
        return;
    }
    r.unwrap();
    // The wait timeout still works on the boottime clock.
    let t = Instant::now();
    s.wait(1, Some(Duration::from_millis(30))).unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(25),
        "{:?}",
        t.elapsed()
    );
    s.register_clock(Clock::Monotonic).unwrap();
    let mut raw = [0u32; 4];
    raw[0] = libc::CLOCK_REALTIME as u32;
    // SAFETY: `raw` is a live `io_uring_clock_register`-shaped buffer.
    let e = unsafe { s.register_raw(uring_sys::IORING_REGISTER_CLOCK, raw.as_ptr().cast(), 0) }
        .unwrap_err();
    assert_eq!(errno(&e), Some(libc::EINVAL));
}
