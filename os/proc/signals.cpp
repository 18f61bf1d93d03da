#include "os/proc/signals.h"

#include "os/abi/signal.h"

namespace os::proc {

DefaultAction default_action(int sig) {
    using linux_abi::Signal;
    switch (static_cast<Signal>(sig)) {
    case Signal::sigquit:
    case Signal::sigill:
    case Signal::sigtrap:
    case Signal::sigabrt:
    case Signal::sigbus:
    case Signal::sigfpe:
    case Signal::sigsegv:
    case Signal::sigxcpu:
    case Signal::sigxfsz:
    case Signal::sigsys:
        return DefaultAction::CoreDump;
    case Signal::sigchld:
    case Signal::sigurg:
    case Signal::sigwinch:
        return DefaultAction::Ignore;
    case Signal::sigcont:
        return DefaultAction::Continue;
    case Signal::sigstop:
    case Signal::sigtstp:
    case Signal::sigttin:
    case Signal::sigttou:
        return DefaultAction::Stop;
    default:
        return DefaultAction::Terminate;  // including real-time signals
    }
}

}  // namespace os::proc
