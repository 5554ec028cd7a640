/*
 * A stand-in for Windows' bcryptprimitives.dll, for running Rust test binaries under Wine 8.
 *
 * Rust's standard library (1.78+) imports ProcessPrng from bcryptprimitives.dll to seed its
 * hash maps. Wine 8, the version in Debian 12, does not ship that DLL, so every Rust .exe fails
 * to load. This file is the whole DLL: ProcessPrng filled by RtlGenRandom (exported by advapi32
 * as SystemFunction036), which Wine does implement. ci/stages/70-iocp.sh builds it with mingw
 * and copies it into the Wine prefix's system32. It is test scaffolding, never shipped.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

/* RtlGenRandom's real export name; the SDK header only declares it under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* BOOL ProcessPrng(PBYTE pbData, SIZE_T cbData): always succeeds on Windows, so Rust does not
 * check a failure path; we still return FALSE if RtlGenRandom ever fails. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
