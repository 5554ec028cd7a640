//! The crash self-check of `ci/stages/70-iocp.sh`, not a test of the crate: asked through
//! `IOCP_CRASH_SELF_CHECK`, this test crashes the test binary the way a memory-safety bug would,
//! and the stage must see that run fail. Without the variable it does nothing.

/// `IOCP_CRASH_SELF_CHECK=access-violation` reads through a null pointer (an unhandled access
/// violation, `0xC0000005`); `=abort` calls `std::process::abort` (`__fastfail`,
/// `0xC0000409`). Any other value panics, so a typo fails the check instead of passing it.
#[test]
fn crashes_when_the_stage_asks() {
    let Some(how) = std::env::var_os("IOCP_CRASH_SELF_CHECK") else {
        return;
    };
    match how.to_str() {
        Some("access-violation") => {
            let p = std::hint::black_box(std::ptr::null::<u32>());
            // SAFETY: none: this is the deliberate crash the stage's self-check asks for.
            let v = unsafe { p.read_volatile() };
            println!("read {v} through a null pointer");
        }
        Some("abort") => std::process::abort(),
        _ => panic!("IOCP_CRASH_SELF_CHECK={how:?}: expected access-violation or abort"),
    }
}
