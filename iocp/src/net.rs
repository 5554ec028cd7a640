//! Socket plumbing the socket operations need: Winsock start-up, overlapped sockets, `ConnectEx`,
//! and `SocketAddr` to `SOCKADDR` conversion.

use std::io;
use std::mem::{size_of, zeroed};
use std::net::SocketAddr;
use std::os::windows::io::{FromRawSocket, OwnedSocket, RawSocket};
use std::sync::OnceLock;

use windows_sys::Win32::Networking::WinSock::{
    AF_INET, AF_INET6, INVALID_SOCKET, IPPROTO_TCP, LPFN_CONNECTEX,
    SIO_GET_EXTENSION_FUNCTION_POINTER, SOCK_STREAM, SOCKADDR, SOCKADDR_IN, SOCKADDR_IN6,
    SOCKADDR_STORAGE, SOCKET, SOCKET_ERROR, WSA_FLAG_NO_HANDLE_INHERIT, WSA_FLAG_OVERLAPPED,
    WSADATA, WSAGetLastError, WSAID_CONNECTEX, WSAIoctl, WSASocketW, WSAStartup,
};

/// Winsock must be started once per process before any socket call; the reference count it keeps
/// is never released (like `std`, we never call `WSACleanup`).
fn startup() -> io::Result<()> {
    static STARTED: OnceLock<i32> = OnceLock::new();
    let rc = *STARTED.get_or_init(|| {
        // SAFETY: WSADATA is plain data that WSAStartup fills; the pointer is to a local.
        let mut data: WSADATA = unsafe { zeroed() };
        // SAFETY: version 2.2 and a valid out-pointer, as WSAStartup requires.
        unsafe { WSAStartup(0x0202, &mut data) }
    });
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

/// The last Winsock error of this thread as an `io::Error`.
pub(crate) fn wsa_error() -> io::Error {
    // SAFETY: WSAGetLastError only reads thread-local state.
    io::Error::from_raw_os_error(unsafe { WSAGetLastError() })
}

/// `WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED |
/// WSA_FLAG_NO_HANDLE_INHERIT)` — a new, unbound TCP socket for overlapped I/O.
///
/// The family (IPv4 or IPv6) is taken from `like`. Use it as the accept socket of
/// [`Attached::accept`](crate::Attached::accept), or attach it and call
/// [`Attached::connect`](crate::Attached::connect). Sockets made by `std::net` are overlapped
/// too and can be attached as they are.
///
/// # References
///
/// - [`WSASocketW`](https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsasocketw)
#[doc(alias = "WSASocketW")]
pub fn tcp_socket(like: &SocketAddr) -> io::Result<OwnedSocket> {
    startup()?;
    let family = match like {
        SocketAddr::V4(_) => AF_INET,
        SocketAddr::V6(_) => AF_INET6,
    };
    // SAFETY: plain integer arguments and a null protocol-info pointer, which WSASocketW accepts.
    let s = unsafe {
        WSASocketW(
            i32::from(family),
            SOCK_STREAM,
            IPPROTO_TCP,
            std::ptr::null(),
            0,
            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT,
        )
    };
    if s == INVALID_SOCKET {
        return Err(wsa_error());
    }
    // SAFETY: WSASocketW just returned this socket, so it is open and owned by no one else.
    Ok(unsafe { OwnedSocket::from_raw_socket(s as RawSocket) })
}

/// The `ConnectEx` extension function, fetched once with `SIO_GET_EXTENSION_FUNCTION_POINTER`.
///
/// Strictly the pointer belongs to the socket's provider; every TCP/IP provider (the base one and
/// any layered one over it) hands out the same `mswsock` entry point, which is what mio and libuv
/// rely on too.
pub(crate) fn connect_ex(s: SOCKET) -> io::Result<LPFN_CONNECTEX> {
    static FN: OnceLock<usize> = OnceLock::new();
    if let Some(&f) = FN.get() {
        // SAFETY: the usize was stored below from a non-null LPFN_CONNECTEX, the same size.
        return Ok(unsafe { std::mem::transmute::<usize, LPFN_CONNECTEX>(f) });
    }
    let mut f: LPFN_CONNECTEX = None;
    let mut returned = 0u32;
    // SAFETY: the in-buffer is the GUID constant and the out-buffer a local of the size passed;
    // no OVERLAPPED, so the call is synchronous.
    let rc = unsafe {
        WSAIoctl(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            (&WSAID_CONNECTEX as *const windows_sys::core::GUID).cast(),
            size_of::<windows_sys::core::GUID>() as u32,
            (&mut f as *mut LPFN_CONNECTEX).cast(),
            size_of::<LPFN_CONNECTEX>() as u32,
            &mut returned,
            std::ptr::null_mut(),
            None,
        )
    };
    if rc == SOCKET_ERROR {
        return Err(wsa_error());
    }
    match f {
        Some(p) => {
            let _ = FN.set(p as usize);
            Ok(f)
        }
        None => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the socket provider has no ConnectEx",
        )),
    }
}

/// A `SocketAddr` laid out as the `SOCKADDR_IN`/`SOCKADDR_IN6` Winsock expects, with its length.
pub(crate) fn to_sockaddr(addr: &SocketAddr) -> (SOCKADDR_STORAGE, i32) {
    // SAFETY: SOCKADDR_STORAGE is plain data; all-zero is a valid (AF_UNSPEC) value.
    let mut storage: SOCKADDR_STORAGE = unsafe { zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            // SAFETY: plain data, zero is valid.
            let mut sin: SOCKADDR_IN = unsafe { zeroed() };
            sin.sin_family = AF_INET;
            sin.sin_port = a.port().to_be();
            sin.sin_addr.S_un.S_addr = u32::from_ne_bytes(a.ip().octets());
            // SAFETY: SOCKADDR_STORAGE is larger than SOCKADDR_IN and suitably aligned.
            unsafe { std::ptr::write((&mut storage as *mut SOCKADDR_STORAGE).cast(), sin) };
            size_of::<SOCKADDR_IN>()
        }
        SocketAddr::V6(a) => {
            // SAFETY: plain data, zero is valid.
            let mut sin6: SOCKADDR_IN6 = unsafe { zeroed() };
            sin6.sin6_family = AF_INET6;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_flowinfo = a.flowinfo();
            sin6.sin6_addr.u.Byte = a.ip().octets();
            sin6.Anonymous.sin6_scope_id = a.scope_id();
            // SAFETY: SOCKADDR_STORAGE is larger than SOCKADDR_IN6 and suitably aligned.
            unsafe { std::ptr::write((&mut storage as *mut SOCKADDR_STORAGE).cast(), sin6) };
            size_of::<SOCKADDR_IN6>()
        }
    };
    (storage, len as i32)
}

/// The wildcard address (port 0) of the family of `addr`, for binding before `ConnectEx`.
pub(crate) fn unspecified_like(addr: &SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
        SocketAddr::V6(_) => SocketAddr::from(([0u16; 8], 0)),
    }
}

/// `SOCKADDR` pointer of a storage.
pub(crate) fn sa_ptr(s: &SOCKADDR_STORAGE) -> *const SOCKADDR {
    (s as *const SOCKADDR_STORAGE).cast()
}
