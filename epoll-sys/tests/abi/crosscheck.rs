//! The same names in the `libc` and `linux-raw-sys` crates agree with this crate.

use core::mem::{align_of, offset_of, size_of};

#[test]
fn constants_agree_with_linux_raw_sys() {
    use linux_raw_sys::general as k;
    let theirs: &[(&str, u64)] = &[
        ("EPOLLIN", k::EPOLLIN.into()),
        ("EPOLLPRI", k::EPOLLPRI.into()),
        ("EPOLLOUT", k::EPOLLOUT.into()),
        ("EPOLLERR", k::EPOLLERR.into()),
        ("EPOLLHUP", k::EPOLLHUP.into()),
        ("EPOLLNVAL", k::EPOLLNVAL.into()),
        ("EPOLLRDNORM", k::EPOLLRDNORM.into()),
        ("EPOLLRDBAND", k::EPOLLRDBAND.into()),
        ("EPOLLWRNORM", k::EPOLLWRNORM.into()),
        ("EPOLLWRBAND", k::EPOLLWRBAND.into()),
        ("EPOLLMSG", k::EPOLLMSG.into()),
        ("EPOLLRDHUP", k::EPOLLRDHUP.into()),
        ("EPOLLEXCLUSIVE", k::EPOLLEXCLUSIVE.into()),
        ("EPOLLWAKEUP", k::EPOLLWAKEUP.into()),
        ("EPOLLONESHOT", k::EPOLLONESHOT.into()),
        ("EPOLLET", k::EPOLLET.into()),
        ("EPOLL_CLOEXEC", k::EPOLL_CLOEXEC.into()),
        ("EPOLL_CTL_ADD", k::EPOLL_CTL_ADD.into()),
        ("EPOLL_CTL_DEL", k::EPOLL_CTL_DEL.into()),
        ("EPOLL_CTL_MOD", k::EPOLL_CTL_MOD.into()),
        ("EPOLL_IOC_TYPE", k::EPOLL_IOC_TYPE.into()),
    ];
    compare("linux-raw-sys", theirs);
}

#[test]
fn constants_agree_with_libc() {
    let u = |v: libc::c_int| u64::from(v as u32);
    let theirs: &[(&str, u64)] = &[
        ("EPOLLIN", u(libc::EPOLLIN)),
        ("EPOLLPRI", u(libc::EPOLLPRI)),
        ("EPOLLOUT", u(libc::EPOLLOUT)),
        ("EPOLLERR", u(libc::EPOLLERR)),
        ("EPOLLHUP", u(libc::EPOLLHUP)),
        ("EPOLLRDNORM", u(libc::EPOLLRDNORM)),
        ("EPOLLRDBAND", u(libc::EPOLLRDBAND)),
        ("EPOLLWRNORM", u(libc::EPOLLWRNORM)),
        ("EPOLLWRBAND", u(libc::EPOLLWRBAND)),
        ("EPOLLMSG", u(libc::EPOLLMSG)),
        ("EPOLLRDHUP", u(libc::EPOLLRDHUP)),
        ("EPOLLEXCLUSIVE", u(libc::EPOLLEXCLUSIVE)),
        ("EPOLLWAKEUP", u(libc::EPOLLWAKEUP)),
        ("EPOLLONESHOT", u(libc::EPOLLONESHOT)),
        ("EPOLLET", u(libc::EPOLLET)),
        ("EPOLL_CLOEXEC", u(libc::EPOLL_CLOEXEC)),
        ("EPOLL_CTL_ADD", u(libc::EPOLL_CTL_ADD)),
        ("EPOLL_CTL_DEL", u(libc::EPOLL_CTL_DEL)),
        ("EPOLL_CTL_MOD", u(libc::EPOLL_CTL_MOD)),
        #[allow(clippy::unnecessary_cast)]
        ("EPIOCSPARAMS", libc::EPIOCSPARAMS as u64),
        #[allow(clippy::unnecessary_cast)]
        ("EPIOCGPARAMS", libc::EPIOCGPARAMS as u64),
    ];
    compare("libc", theirs);
}

fn compare(who: &str, theirs: &[(&str, u64)]) {
    let ours = super::rust_constants();
    for (name, v) in theirs {
        let (_, _, mine) = ours
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap_or_else(|| panic!("{who} has {name}, epoll-sys does not"));
        assert_eq!(*mine, *v, "{name}: epoll-sys {mine:#x}, {who} {v:#x}");
    }
}

#[test]
fn layouts_agree_with_linux_raw_sys_and_libc() {
    use epoll_sys::{epoll_event, epoll_params};
    use linux_raw_sys::general as k;
    assert_eq!(size_of::<epoll_event>(), size_of::<k::epoll_event>());
    // linux-raw-sys follows the uapi header, unpacked on i686 (alignment 4); glibc's
    // `<sys/epoll.h>`, which this crate mirrors, packs it there (alignment 1).
    if !cfg!(target_arch = "x86") {
        assert_eq!(align_of::<epoll_event>(), align_of::<k::epoll_event>());
    }
    assert_eq!(
        offset_of!(epoll_event, events),
        offset_of!(k::epoll_event, events)
    );
    assert_eq!(
        offset_of!(epoll_event, data),
        offset_of!(k::epoll_event, data)
    );
    assert_eq!(size_of::<epoll_event>(), size_of::<libc::epoll_event>());
    assert_eq!(align_of::<epoll_event>(), align_of::<libc::epoll_event>());
    assert_eq!(
        offset_of!(epoll_event, events),
        offset_of!(libc::epoll_event, events)
    );
    assert_eq!(
        offset_of!(epoll_event, data),
        offset_of!(libc::epoll_event, u64)
    );

    macro_rules! same_params {
        ($other:ty) => {
            assert_eq!(size_of::<epoll_params>(), size_of::<$other>());
            assert_eq!(align_of::<epoll_params>(), align_of::<$other>());
            assert_eq!(
                offset_of!(epoll_params, busy_poll_usecs),
                offset_of!($other, busy_poll_usecs)
            );
            assert_eq!(
                offset_of!(epoll_params, busy_poll_budget),
                offset_of!($other, busy_poll_budget)
            );
            assert_eq!(
                offset_of!(epoll_params, prefer_busy_poll),
                offset_of!($other, prefer_busy_poll)
            );
            assert_eq!(offset_of!(epoll_params, __pad), offset_of!($other, __pad));
        };
    }
    same_params!(k::epoll_params);
    same_params!(libc::epoll_params);
}

/// The raw calls reach the kernel: create, register a pipe, see it readable through each of
/// `epoll_wait`, `epoll_pwait` and `epoll_pwait2`, and round-trip the busy-poll ioctl.
#[test]
fn raw_calls_smoke() {
    use epoll_sys::*;
    // SAFETY: every pointer below points at a live local of the right type; the fds are ours and
    // closed at the end.
    unsafe {
        let ep = epoll_create1(EPOLL_CLOEXEC);
        assert!(
            ep >= 0,
            "epoll_create1: {}",
            std::io::Error::last_os_error()
        );
        let mut p = [0; 2];
        assert_eq!(libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC), 0);
        let mut ev = epoll_event {
            events: EPOLLIN,
            data: epoll_data {
                u64: 0xdead_beef_0bad_f00d,
            },
        };
        assert_eq!(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &mut ev), 0);
        assert_eq!(libc::write(p[1], b"x".as_ptr().cast(), 1), 1);
        let mut out = [epoll_event {
            events: 0,
            data: epoll_data { u64: 0 },
        }; 4];
        assert_eq!(epoll_wait(ep, out.as_mut_ptr(), 4, 0), 1);
        assert_eq!({ out[0].events }, EPOLLIN);
        assert_eq!({ out[0].data.u64 }, 0xdead_beef_0bad_f00d);
        assert_eq!(
            epoll_pwait(ep, out.as_mut_ptr(), 4, 0, core::ptr::null()),
            1
        );
        let ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 1000,
        };
        assert_eq!(
            epoll_pwait2(ep, out.as_mut_ptr(), 4, &ts, core::ptr::null()),
            1
        );
        assert_eq!(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], core::ptr::null_mut()), 0);
        assert_eq!(
            epoll_pwait2(ep, out.as_mut_ptr(), 4, &ts, core::ptr::null()),
            0
        );

        let mut params = epoll_params {
            busy_poll_usecs: 25,
            busy_poll_budget: 8,
            prefer_busy_poll: 1,
            __pad: 0,
        };
        if libc::ioctl(ep, EPIOCSPARAMS as _, &mut params) == 0 {
            let mut got = epoll_params::default();
            assert_eq!(libc::ioctl(ep, EPIOCGPARAMS as _, &mut got), 0);
            assert_eq!(got, params);
        } else {
            let e = std::io::Error::last_os_error();
            assert_eq!(e.raw_os_error(), Some(libc::ENOTTY), "EPIOCSPARAMS: {e}");
            println!("skip busy-poll ioctl: kernel predates Linux 6.9 (ENOTTY)");
        }
        libc::close(p[0]);
        libc::close(p[1]);
        libc::close(ep);
    }
}
