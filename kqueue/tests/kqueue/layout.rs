//! `struct kevent` and the constants as the system's C compiler sees `<sys/event.h>`.
//! The crate proves at compile time that its types equal `libc`'s (kqueue/src/sys.rs); this
//! closes the loop from `libc` to the real header on the machine running the tests.

use kqueue::{Change, Event};
use std::mem::{align_of, offset_of, size_of};
use std::process::Command;

const PROGRAM: &str = r#"
#include <sys/types.h>
#include <sys/event.h>
#include <stddef.h>
#include <stdio.h>
int main(void) {
    printf("size %zu\n", sizeof(struct kevent));
    printf("align %zu\n", _Alignof(struct kevent));
    printf("ident %zu\n", offsetof(struct kevent, ident));
    printf("filter %zu\n", offsetof(struct kevent, filter));
    printf("flags %zu\n", offsetof(struct kevent, flags));
    printf("fflags %zu\n", offsetof(struct kevent, fflags));
    printf("data %zu\n", offsetof(struct kevent, data));
    printf("udata %zu\n", offsetof(struct kevent, udata));
    printf("sizeof_filter %zu\n", sizeof(((struct kevent *)0)->filter));
    printf("sizeof_flags %zu\n", sizeof(((struct kevent *)0)->flags));
    printf("sizeof_data %zu\n", sizeof(((struct kevent *)0)->data));
    printf("EVFILT_READ %ld\n", (long)EVFILT_READ);
    printf("EVFILT_USER %ld\n", (long)EVFILT_USER);
    printf("EVFILT_TIMER %ld\n", (long)EVFILT_TIMER);
    printf("EV_RECEIPT %ld\n", (long)EV_RECEIPT);
    printf("EV_DISPATCH %ld\n", (long)EV_DISPATCH);
    printf("NOTE_TRIGGER %ld\n", (long)NOTE_TRIGGER);
    return 0;
}
"#;

fn c_view() -> Vec<(String, i64)> {
    let dir = crate::util::temp_path("layout");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("kevent.c");
    let exe = dir.join("kevent");
    std::fs::write(&src, PROGRAM).unwrap();
    let built = Command::new("cc").arg(&src).arg("-o").arg(&exe).status();
    let built = built.expect("this test needs the system C compiler as `cc`");
    assert!(
        built.success(),
        "cc failed to compile the <sys/event.h> probe"
    );
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap();
            (k.to_owned(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn kevent_matches_the_c_header() {
    let c = c_view();
    let get = |k: &str| c.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap() as usize;
    assert_eq!(size_of::<Change>(), get("size"));
    assert_eq!(size_of::<Event>(), get("size"));
    assert_eq!(size_of::<libc::kevent>(), get("size"));
    assert_eq!(align_of::<libc::kevent>(), get("align"));
    assert_eq!(
        align_of::<Change>() % get("align"),
        0,
        "the crate's arrays are at least as aligned as C's"
    );
    assert_eq!(offset_of!(libc::kevent, ident), get("ident"));
    assert_eq!(offset_of!(libc::kevent, filter), get("filter"));
    assert_eq!(offset_of!(libc::kevent, flags), get("flags"));
    assert_eq!(offset_of!(libc::kevent, fflags), get("fflags"));
    assert_eq!(offset_of!(libc::kevent, data), get("data"));
    assert_eq!(offset_of!(libc::kevent, udata), get("udata"));
    let k = zeroed_kevent();
    assert_eq!(size_of_val(&{ k.filter }), get("sizeof_filter"));
    assert_eq!(size_of_val(&{ k.flags }), get("sizeof_flags"));
    assert_eq!(size_of_val(&{ k.data }), get("sizeof_data"));
    let geti = |k: &str| c.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap();
    assert_eq!(libc::EVFILT_READ as i64, geti("EVFILT_READ"));
    assert_eq!(libc::EVFILT_USER as i64, geti("EVFILT_USER"));
    assert_eq!(libc::EVFILT_TIMER as i64, geti("EVFILT_TIMER"));
    assert_eq!(libc::EV_RECEIPT as i64, geti("EV_RECEIPT"));
    assert_eq!(libc::EV_DISPATCH as i64, geti("EV_DISPATCH"));
    assert_eq!(libc::NOTE_TRIGGER as i64, geti("NOTE_TRIGGER"));
    // And the crate's own view of a user event agrees with the header's numbers.
    assert_eq!(Change::user(1, 0).filter(), kqueue::Filter::User);
}

/// A `libc::kevent` value, to measure its fields.
fn zeroed_kevent() -> libc::kevent {
    libc::kevent {
        ident: 0,
        filter: libc::EVFILT_READ,
        flags: 0,
        fflags: 0,
        data: 0,
        udata: std::ptr::null_mut(),
        #[cfg(target_os = "freebsd")]
        ext: [0; 4],
    }
}
