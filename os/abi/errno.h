// Linux errno values as the guest sees them (x86-64): ABI, never changes.
// Enumerators are the lower-case errno names (Errno::efault) so that they cannot collide
// with the host <cerrno> macros.
#pragma once

#include <cstdint>
#include <string_view>

namespace linux_abi {

enum class Errno : int32_t {
    eperm = 1,  // Operation not permitted
    enoent = 2,  // No such file or directory
    esrch = 3,  // No such process
    eintr = 4,  // Interrupted system call
    eio = 5,  // I/O error
    enxio = 6,  // No such device or address
    e2big = 7,  // Argument list too long
    enoexec = 8,  // Exec format error
    ebadf = 9,  // Bad file number
    echild = 10,  // No child processes
    eagain = 11,  // Try again
    enomem = 12,  // Out of memory
    eacces = 13,  // Permission denied
    efault = 14,  // Bad address
    enotblk = 15,  // Block device required
    ebusy = 16,  // Device or resource busy
    eexist = 17,  // File exists
    exdev = 18,  // Cross-device link
    enodev = 19,  // No such device
    enotdir = 20,  // Not a directory
    eisdir = 21,  // Is a directory
    einval = 22,  // Invalid argument
    enfile = 23,  // File table overflow
    emfile = 24,  // Too many open files
    enotty = 25,  // Not a typewriter
    etxtbsy = 26,  // Text file busy
    efbig = 27,  // File too large
    enospc = 28,  // No space left on device
    espipe = 29,  // Illegal seek
    erofs = 30,  // Read-only file system
    emlink = 31,  // Too many links
    epipe = 32,  // Broken pipe
    edom = 33,  // Math argument out of domain of func
    erange = 34,  // Math result not representable
    edeadlk = 35,  // Resource deadlock would occur
    enametoolong = 36,  // File name too long
    enolck = 37,  // No record locks available
    enosys = 38,  // Invalid system call number
    enotempty = 39,  // Directory not empty
    eloop = 40,  // Too many symbolic links encountered
    enomsg = 42,  // No message of desired type
    eidrm = 43,  // Identifier removed
    echrng = 44,  // Channel number out of range
    el2nsync = 45,  // Level 2 not synchronized
    el3hlt = 46,  // Level 3 halted
    el3rst = 47,  // Level 3 reset
    elnrng = 48,  // Link number out of range
    eunatch = 49,  // Protocol driver not attached
    enocsi = 50,  // No CSI structure available
    el2hlt = 51,  // Level 2 halted
    ebade = 52,  // Invalid exchange
    ebadr = 53,  // Invalid request descriptor
    exfull = 54,  // Exchange full
    enoano = 55,  // No anode
    ebadrqc = 56,  // Invalid request code
    ebadslt = 57,  // Invalid slot
    ebfont = 59,  // Bad font file format
    enostr = 60,  // Device not a stream
    enodata = 61,  // No data available
    etime = 62,  // Timer expired
    enosr = 63,  // Out of streams resources
    enonet = 64,  // Machine is not on the network
    enopkg = 65,  // Package not installed
    eremote = 66,  // Object is remote
    enolink = 67,  // Link has been severed
    eadv = 68,  // Advertise error
    esrmnt = 69,  // Srmount error
    ecomm = 70,  // Communication error on send
    eproto = 71,  // Protocol error
    emultihop = 72,  // Multihop attempted
    edotdot = 73,  // RFS specific error
    ebadmsg = 74,  // Not a data message
    eoverflow = 75,  // Value too large for defined data type
    enotuniq = 76,  // Name not unique on network
    ebadfd = 77,  // File descriptor in bad state
    eremchg = 78,  // Remote address changed
    elibacc = 79,  // Can not access a needed shared library
    elibbad = 80,  // Accessing a corrupted shared library
    elibscn = 81,  // .lib section in a.out corrupted
    elibmax = 82,  // Attempting to link in too many shared libraries
    elibexec = 83,  // Cannot exec a shared library directly
    eilseq = 84,  // Illegal byte sequence
    erestart = 85,  // Interrupted system call should be restarted
    estrpipe = 86,  // Streams pipe error
    eusers = 87,  // Too many users
    enotsock = 88,  // Socket operation on non-socket
    edestaddrreq = 89,  // Destination address required
    emsgsize = 90,  // Message too long
    eprototype = 91,  // Protocol wrong type for socket
    enoprotoopt = 92,  // Protocol not available
    eprotonosupport = 93,  // Protocol not supported
    esocktnosupport = 94,  // Socket type not supported
    eopnotsupp = 95,  // Operation not supported on transport endpoint
    epfnosupport = 96,  // Protocol family not supported
    eafnosupport = 97,  // Address family not supported by protocol
    eaddrinuse = 98,  // Address already in use
    eaddrnotavail = 99,  // Cannot assign requested address
    enetdown = 100,  // Network is down
    enetunreach = 101,  // Network is unreachable
    enetreset = 102,  // Network dropped connection because of reset
    econnaborted = 103,  // Software caused connection abort
    econnreset = 104,  // Connection reset by peer
    enobufs = 105,  // No buffer space available
    eisconn = 106,  // Transport endpoint is already connected
    enotconn = 107,  // Transport endpoint is not connected
    eshutdown = 108,  // Cannot send after transport endpoint shutdown
    etoomanyrefs = 109,  // Too many references: cannot splice
    etimedout = 110,  // Connection timed out
    econnrefused = 111,  // Connection refused
    ehostdown = 112,  // Host is down
    ehostunreach = 113,  // No route to host
    ealready = 114,  // Operation already in progress
    einprogress = 115,  // Operation now in progress
    estale = 116,  // Stale file handle
    euclean = 117,  // Structure needs cleaning
    enotnam = 118,  // Not a XENIX named type file
    enavail = 119,  // No XENIX semaphores available
    eisnam = 120,  // Is a named type file
    eremoteio = 121,  // Remote I/O error
    edquot = 122,  // Quota exceeded
    enomedium = 123,  // No medium found
    emediumtype = 124,  // Wrong medium type
    ecanceled = 125,  // Operation Canceled
    enokey = 126,  // Required key not available
    ekeyexpired = 127,  // Key has expired
    ekeyrevoked = 128,  // Key has been revoked
    ekeyrejected = 129,  // Key was rejected by service
    eownerdead = 130,  // Owner died
    enotrecoverable = 131,  // State not recoverable
    erfkill = 132,  // Operation not possible due to RF-kill
    ehwpoison = 133,  // Memory page has hardware error

    // Kernel-internal: a syscall that was interrupted by a signal (or must sleep) and is
    // either restarted or turned into EINTR on the way back to user mode (Linux's
    // include/linux/errno.h). They never reach a program.
    erestartsys = 512,            // restart if the handler has SA_RESTART, else EINTR
    erestartnointr = 513,         // always restart
    erestartnohand = 514,         // restart only if no handler runs, else EINTR
    erestart_restartblock = 516,  // like erestartnohand (nanosleep's remaining time is kept)
};

// Whether `e` is one of the kernel-internal restart codes above.
constexpr bool is_restart_code(Errno e) {
    return e == Errno::erestartsys || e == Errno::erestartnointr || e == Errno::erestartnohand ||
           e == Errno::erestart_restartblock;
}

// The errno name as strace prints it: "EFAULT" for Errno::efault.
constexpr std::string_view errno_name(Errno e) {
    switch (e) {
    case Errno::eperm: return "EPERM";
    case Errno::enoent: return "ENOENT";
    case Errno::esrch: return "ESRCH";
    case Errno::eintr: return "EINTR";
    case Errno::eio: return "EIO";
    case Errno::enxio: return "ENXIO";
    case Errno::e2big: return "E2BIG";
    case Errno::enoexec: return "ENOEXEC";
    case Errno::ebadf: return "EBADF";
    case Errno::echild: return "ECHILD";
    case Errno::eagain: return "EAGAIN";
    case Errno::enomem: return "ENOMEM";
    case Errno::eacces: return "EACCES";
    case Errno::efault: return "EFAULT";
    case Errno::enotblk: return "ENOTBLK";
    case Errno::ebusy: return "EBUSY";
    case Errno::eexist: return "EEXIST";
    case Errno::exdev: return "EXDEV";
    case Errno::enodev: return "ENODEV";
    case Errno::enotdir: return "ENOTDIR";
    case Errno::eisdir: return "EISDIR";
    case Errno::einval: return "EINVAL";
    case Errno::enfile: return "ENFILE";
    case Errno::emfile: return "EMFILE";
    case Errno::enotty: return "ENOTTY";
    case Errno::etxtbsy: return "ETXTBSY";
    case Errno::efbig: return "EFBIG";
    case Errno::enospc: return "ENOSPC";
    case Errno::espipe: return "ESPIPE";
    case Errno::erofs: return "EROFS";
    case Errno::emlink: return "EMLINK";
    case Errno::epipe: return "EPIPE";
    case Errno::edom: return "EDOM";
    case Errno::erange: return "ERANGE";
    case Errno::edeadlk: return "EDEADLK";
    case Errno::enametoolong: return "ENAMETOOLONG";
    case Errno::enolck: return "ENOLCK";
    case Errno::enosys: return "ENOSYS";
    case Errno::enotempty: return "ENOTEMPTY";
    case Errno::eloop: return "ELOOP";
    case Errno::enomsg: return "ENOMSG";
    case Errno::eidrm: return "EIDRM";
    case Errno::echrng: return "ECHRNG";
    case Errno::el2nsync: return "EL2NSYNC";
    case Errno::el3hlt: return "EL3HLT";
    case Errno::el3rst: return "EL3RST";
    case Errno::elnrng: return "ELNRNG";
    case Errno::eunatch: return "EUNATCH";
    case Errno::enocsi: return "ENOCSI";
    case Errno::el2hlt: return "EL2HLT";
    case Errno::ebade: return "EBADE";
    case Errno::ebadr: return "EBADR";
    case Errno::exfull: return "EXFULL";
    case Errno::enoano: return "ENOANO";
    case Errno::ebadrqc: return "EBADRQC";
    case Errno::ebadslt: return "EBADSLT";
    case Errno::ebfont: return "EBFONT";
    case Errno::enostr: return "ENOSTR";
    case Errno::enodata: return "ENODATA";
    case Errno::etime: return "ETIME";
    case Errno::enosr: return "ENOSR";
    case Errno::enonet: return "ENONET";
    case Errno::enopkg: return "ENOPKG";
    case Errno::eremote: return "EREMOTE";
    case Errno::enolink: return "ENOLINK";
    case Errno::eadv: return "EADV";
    case Errno::esrmnt: return "ESRMNT";
    case Errno::ecomm: return "ECOMM";
    case Errno::eproto: return "EPROTO";
    case Errno::emultihop: return "EMULTIHOP";
    case Errno::edotdot: return "EDOTDOT";
    case Errno::ebadmsg: return "EBADMSG";
    case Errno::eoverflow: return "EOVERFLOW";
    case Errno::enotuniq: return "ENOTUNIQ";
    case Errno::ebadfd: return "EBADFD";
    case Errno::eremchg: return "EREMCHG";
    case Errno::elibacc: return "ELIBACC";
    case Errno::elibbad: return "ELIBBAD";
    case Errno::elibscn: return "ELIBSCN";
    case Errno::elibmax: return "ELIBMAX";
    case Errno::elibexec: return "ELIBEXEC";
    case Errno::eilseq: return "EILSEQ";
    case Errno::erestart: return "ERESTART";
    case Errno::erestartsys: return "ERESTARTSYS";
    case Errno::erestartnointr: return "ERESTARTNOINTR";
    case Errno::erestartnohand: return "ERESTARTNOHAND";
    case Errno::erestart_restartblock: return "ERESTART_RESTARTBLOCK";
    case Errno::estrpipe: return "ESTRPIPE";
    case Errno::eusers: return "EUSERS";
    case Errno::enotsock: return "ENOTSOCK";
    case Errno::edestaddrreq: return "EDESTADDRREQ";
    case Errno::emsgsize: return "EMSGSIZE";
    case Errno::eprototype: return "EPROTOTYPE";
    case Errno::enoprotoopt: return "ENOPROTOOPT";
    case Errno::eprotonosupport: return "EPROTONOSUPPORT";
    case Errno::esocktnosupport: return "ESOCKTNOSUPPORT";
    case Errno::eopnotsupp: return "EOPNOTSUPP";
    case Errno::epfnosupport: return "EPFNOSUPPORT";
    case Errno::eafnosupport: return "EAFNOSUPPORT";
    case Errno::eaddrinuse: return "EADDRINUSE";
    case Errno::eaddrnotavail: return "EADDRNOTAVAIL";
    case Errno::enetdown: return "ENETDOWN";
    case Errno::enetunreach: return "ENETUNREACH";
    case Errno::enetreset: return "ENETRESET";
    case Errno::econnaborted: return "ECONNABORTED";
    case Errno::econnreset: return "ECONNRESET";
    case Errno::enobufs: return "ENOBUFS";
    case Errno::eisconn: return "EISCONN";
    case Errno::enotconn: return "ENOTCONN";
    case Errno::eshutdown: return "ESHUTDOWN";
    case Errno::etoomanyrefs: return "ETOOMANYREFS";
    case Errno::etimedout: return "ETIMEDOUT";
    case Errno::econnrefused: return "ECONNREFUSED";
    case Errno::ehostdown: return "EHOSTDOWN";
    case Errno::ehostunreach: return "EHOSTUNREACH";
    case Errno::ealready: return "EALREADY";
    case Errno::einprogress: return "EINPROGRESS";
    case Errno::estale: return "ESTALE";
    case Errno::euclean: return "EUCLEAN";
    case Errno::enotnam: return "ENOTNAM";
    case Errno::enavail: return "ENAVAIL";
    case Errno::eisnam: return "EISNAM";
    case Errno::eremoteio: return "EREMOTEIO";
    case Errno::edquot: return "EDQUOT";
    case Errno::enomedium: return "ENOMEDIUM";
    case Errno::emediumtype: return "EMEDIUMTYPE";
    case Errno::ecanceled: return "ECANCELED";
    case Errno::enokey: return "ENOKEY";
    case Errno::ekeyexpired: return "EKEYEXPIRED";
    case Errno::ekeyrevoked: return "EKEYREVOKED";
    case Errno::ekeyrejected: return "EKEYREJECTED";
    case Errno::eownerdead: return "EOWNERDEAD";
    case Errno::enotrecoverable: return "ENOTRECOVERABLE";
    case Errno::erfkill: return "ERFKILL";
    case Errno::ehwpoison: return "EHWPOISON";
    }
    return "E?";
}

// The value a syscall returns in rax for this error.
constexpr int64_t to_syscall_return(Errno e) { return -static_cast<int64_t>(e); }

}  // namespace linux_abi
