//! Declares the crate's one custom cfg, `kqueue_os`: set when the target has kqueue(2)
//! (FreeBSD, DragonFly, NetBSD, OpenBSD and Apple's systems). Everything that calls the
//! kernel is behind it; elsewhere the crate is empty apart from its unit tests.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kqueue_os)");
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let vendor = std::env::var("CARGO_CFG_TARGET_VENDOR").unwrap_or_default();
    if matches!(os.as_str(), "freebsd" | "dragonfly" | "netbsd" | "openbsd") || vendor == "apple" {
        println!("cargo::rustc-cfg=kqueue_os");
    }
}
