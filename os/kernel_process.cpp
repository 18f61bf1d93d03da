// The process life cycle: clone (fork, vfork, threads), execve, exit of a thread and of a
// process, zombies, reaping and reparenting, wait, process groups and sessions.
#include <spdlog/spdlog.h>

#include <fcntl.h>

#include <algorithm>

#include "os/abi/signal.h"
#include "os/kernel.h"
#include "os/proc/exec.h"
#include "os/trace/syscall_tracer.h"

namespace os {

using linux_abi::Errno;
using linux_abi::Signal;
using proc::Process;
using proc::Task;
using proc::TaskState;

namespace {

// clone flags (include/uapi/linux/sched.h).
constexpr std::uint64_t kCloneVm = 0x100, kCloneFs = 0x200, kCloneFiles = 0x400, kCloneSighand = 0x800,
                        kClonePidfd = 0x1000, kClonePtrace = 0x2000, kCloneVfork = 0x4000, kCloneParent = 0x8000,
                        kCloneThread = 0x10000, kCloneNewns = 0x20000, kCloneSysvsem = 0x40000,
                        kCloneSettls = 0x80000, kCloneParentSettid = 0x100000, kCloneChildCleartid = 0x200000,
                        kCloneDetached = 0x400000, kCloneUntraced = 0x800000, kCloneChildSettid = 0x1000000,
                        kCloneNewcgroup = 0x2000000, kCloneNewuts = 0x4000000, kCloneNewipc = 0x8000000,
                        kCloneNewuser = 0x10000000, kCloneNewpid = 0x20000000, kCloneNewnet = 0x40000000,
                        kCloneIo = 0x80000000ull, kCloneClearSighand = 0x100000000ull,
                        kCloneIntoCgroup = 0x200000000ull;
constexpr std::uint64_t kCloneNamespaces =
    kCloneNewns | kCloneNewcgroup | kCloneNewuts | kCloneNewipc | kCloneNewuser | kCloneNewpid | kCloneNewnet;

// wait options.
constexpr int kWnohang = 1, kWclone = static_cast<int>(0x80000000u), kWall = 0x40000000;

constexpr int kSigChld = static_cast<int>(Signal::sigchld);

// CLD_* si_code values.
constexpr int kCldExited = 1, kCldKilled = 2, kCldDumped = 3;

}  // namespace

proc::Process* Kernel::find_process(int pid) {
    auto it = m_processes.find(pid);
    return it == m_processes.end() ? nullptr : it->second.get();
}

proc::Task* Kernel::find_task(int tid) {
    auto it = m_tasks.find(tid);
    return it == m_tasks.end() ? nullptr : it->second.get();
}

int Kernel::allocate_pid() {
    // Linux hands out increasing pids; a pid still in use (a process, a zombie or a
    // thread) is skipped.
    for (;;) {
        ++m_last_pid;
        if (m_last_pid > 4'194'304)
            m_last_pid = kFirstPid;
        if (!m_processes.contains(m_last_pid) && !m_tasks.contains(m_last_pid))
            return m_last_pid;
    }
}

KResult<int> Kernel::clone(const CloneRequest& req) {
    const std::uint64_t flags = req.flags;
    if ((flags & kCloneSighand) && !(flags & kCloneVm))
        return err(Errno::einval);
    if ((flags & kCloneThread) && !(flags & kCloneSighand))
        return err(Errno::einval);
    if ((flags & kCloneFs) && (flags & kCloneNewns))
        return err(Errno::einval);
    if ((flags & kCloneThread) && (flags & kClonePidfd))
        return err(Errno::einval);
    if (flags & (kCloneNamespaces | kCloneIntoCgroup))
        return err(Errno::eperm);  // namespaces need privileges faultline does not emulate
    if (flags & kClonePidfd)
        return err(Errno::einval);  // no pidfds (yet)
    Task& parent = *m_current;
    Process& pp = parent.process();
    if (m_tasks.size() >= static_cast<std::size_t>(m_config.max_procs) ||
        m_tasks.size() >= pp.rlimits[proc::kRlimitNproc].cur)
        return err(Errno::eagain);

    emu::UserState regs;
    m_cpu->read_user_state(regs);
    // Inside the SYSCALL hook RIP is the instruction; the child starts after it, returning 0.
    regs.rip += 2;
    regs.rcx = regs.rip;
    regs.r11 = regs.rflags;
    regs.rax = 0;
    if (req.stack)
        regs.rsp = req.stack;
    if (flags & kCloneSettls)
        regs.fs_base = req.tls;

    const int id = allocate_pid();
    std::shared_ptr<Process> child_proc;
    if (flags & kCloneThread) {
        child_proc = parent.process_ptr();
    } else {
        std::shared_ptr<mm::AddressSpace> mm =
            (flags & kCloneVm) ? pp.mm_ptr() : std::shared_ptr<mm::AddressSpace>(pp.mm().fork(this));
        if (!mm)
            return err(Errno::enomem);  // no frames for the child's page tables (nothing leaked)
        std::shared_ptr<fs::FileTable> files =
            (flags & kCloneFiles) ? pp.files_ptr() : std::make_shared<fs::FileTable>(pp.files());
        const int ppid = (flags & kCloneParent) ? pp.ppid() : pp.pid();
        child_proc = std::make_shared<Process>(id, ppid, std::move(mm), std::move(files));
        Process& cp = *child_proc;
        if (flags & kCloneFs) {
            cp.set_fs(pp.fs_ptr());
        } else {
            cp.set_cwd(fs::HostFd(::fcntl(pp.cwd_fd(), F_DUPFD_CLOEXEC, 3)));
            cp.umask() = pp.umask();
        }
        if (flags & kCloneSighand)
            cp.set_sighand(pp.sighand_ptr());
        else
            *cp.sighand_ptr() = *pp.sighand_ptr();
        if (flags & kCloneClearSighand)
            for (auto& a : cp.sighand_ptr()->actions)
                if (a.handler != linux_abi::SIG_IGN)
                    a = linux_abi::KernelSigaction{};
        cp.set_executable(pp.exe_path());
        cp.set_comm(pp.comm());
        cp.memcg = pp.memcg;
        memcg_place(cp, true);
        cp.creds = pp.creds;
        cp.rlimits = pp.rlimits;
        cp.pgid = pp.pgid;
        cp.sid = pp.sid;
        cp.dumpable = pp.dumpable;
        cp.no_new_privs = pp.no_new_privs;
        cp.exit_signal = req.exit_signal;
        if (Process* reaper = find_process(ppid))
            reaper->children.push_back(id);
        m_processes.emplace(id, child_proc);
    }
    auto task = std::make_unique<Task>(id, child_proc);
    Task& t = *task;
    t.regs = regs;
    t.signal_mask = parent.signal_mask;
    // A new thread (CLONE_VM without CLONE_VFORK) starts without an alternate signal stack;
    // fork and vfork keep it. rseq registrations are per thread.
    if ((flags & kCloneVm) && !(flags & kCloneVfork))
        t.alt_stack = proc::AltStack{0, 0, 0, 0};
    else
        t.alt_stack = parent.alt_stack;
    if (!(flags & kCloneVm))
        t.rseq = parent.rseq;
    if (flags & kCloneChildCleartid)
        t.clear_child_tid = req.child_tid;
    if (flags & kCloneChildSettid) {
        t.set_child_tid = req.child_tid;
        const std::uint32_t tid = static_cast<std::uint32_t>(id);
        (void)child_proc->mm().copy_to_user(req.child_tid, &tid, sizeof(tid));
    }
    if (flags & kCloneParentSettid) {
        const std::uint32_t tid = static_cast<std::uint32_t>(id);
        (void)pp.mm().copy_to_user(req.parent_tid, &tid, sizeof(tid));
    }
    child_proc->threads.push_back(id);
    m_tasks.emplace(id, std::move(task));
    m_scheduler.enqueue(t);
    m_resched = true;
    if (flags & kCloneVfork) {
        // The parent waits until the child execs or exits (killable only, as on Linux).
        m_scheduler.sleep(parent, proc::WaitChannel{proc::WaitKind::Vfork, child_proc.get(), 0}, std::nullopt,
                          false);
    }
    (void)kClonePtrace;
    (void)kCloneDetached;
    (void)kCloneUntraced;
    (void)kCloneSysvsem;
    (void)kCloneIo;
    return id;
}

KResult<void> Kernel::execve(const ExecveRequest& r) {
    Task& t = *m_current;
    Process& p = t.process();
    proc::ExecRequest req;
    req.path = r.path;
    req.dirfd = p.cwd_fd();
    req.root = m_root.get();
    req.fd = r.fd;
    // /proc/self/exe names the running program (the host's would be faultline).
    fs::HostFd exe;
    if (req.fd < 0 && (r.path == "/proc/self/exe" || r.path == "/proc/" + std::to_string(p.pid()) + "/exe")) {
        exe = fs::HostFd(::open(p.exe_path().c_str(), O_RDONLY | O_CLOEXEC));
        if (!exe.valid())
            return err(Errno::enoent);
        req.fd = exe.get();
    }
    req.argv = r.argv;
    req.envp = r.envp;
    req.hwcap = m_cpu->hwcap();
    req.creds = p.creds;
    req.stack_limit = p.rlimits[proc::kRlimitStack].cur;
    random_bytes(req.random.data(), req.random.size());
    auto image = proc::build_exec_image(m_pmem, this, m_page_cache, req);
    if (!image) {
        if (image.error().past_point_of_no_return) {
            // Linux has already torn down the old program: the process dies by SIGSEGV.
            spdlog::error("pid {} ({}): execve of {} failed after the point of no return: {}", p.pid(), p.comm(),
                          r.path, image.error().message);
            group_exit(p, proc::ExitState{0, static_cast<int>(Signal::sigsegv)});
            return {};
        }
        return err(image.error().error);
    }

    // The point of no return. Other threads end (de_thread).
    const std::vector<int> others = p.threads;
    for (int tid : others)
        if (tid != t.tid())
            if (Task* o = find_task(tid))
                release_task(*o);
    // mm_release of the old program: clear_child_tid is written and woken in the old memory
    // only if someone else still uses it (a vfork parent).
    if (t.clear_child_tid && p.mm_ptr().use_count() > 1)
        clear_child_tid(p.mm(), t.clear_child_tid);
    t.clear_child_tid = 0;
    t.robust_list_head = 0;
    t.robust_list_len = 0;
    t.rseq.reset();
    trace::add_counters(p.earlier_faults, p.mm().fault_counters());
    p.peak_resident_pages = std::max(p.peak_resident_pages, p.mm().peak_resident_pages());
    p.set_mm(std::shared_ptr<mm::AddressSpace>(std::move(image->mm)));
    m_loaded_mm = &p.mm();
    flush_tlb();
    // A vfork parent may go on now.
    wake_all(proc::WaitKind::Vfork, &p);
    // Descriptors: unshared, close-on-exec ones closed.
    if (p.files_ptr().use_count() > 1)
        p.set_files(std::make_shared<fs::FileTable>(p.files()));
    p.files().close_on_exec();
    wake_all(proc::WaitKind::Pipe);
    // Handled signals go back to their default action; ignored ones stay ignored.
    if (p.sighand_ptr().use_count() > 1)
        p.set_sighand(std::make_shared<proc::SignalHandlers>(*p.sighand_ptr()));
    for (auto& a : p.sighand_ptr()->actions) {
        if (a.handler != linux_abi::SIG_IGN)
            a = linux_abi::KernelSigaction{};
        else
            a.flags = 0;
    }
    t.alt_stack = proc::AltStack{0, 0, 0, 0};
    p.did_exec = true;
    p.set_executable(image->absolute_path);
    p.set_comm(image->comm);
    memcg_place(p, false);
    emu::UserState regs;
    regs.rip = image->entry;
    regs.rsp = image->stack_pointer;
    regs.rflags = 0x202;
    t.pending_regs = regs;
    return {};
}

void Kernel::exit_task(int status) {
    Task& t = *m_current;
    Process& p = t.process();
    if (p.threads.size() <= 1) {
        group_exit(p, proc::ExitState{status & 0xff, 0});
        return;
    }
    release_task(t);
    m_cpu->stop();
}

void Kernel::exit_group(int status) {
    group_exit(current(), proc::ExitState{status & 0xff, 0});
    m_cpu->stop();
}

void Kernel::group_exit(Process& p, proc::ExitState state) {
    if (!p.exited())
        p.set_exit(state);
    const std::vector<int> threads = p.threads;
    for (int tid : threads)
        if (Task* t = find_task(tid))
            release_task(*t);
    if (m_current && m_current->state == TaskState::Dead)
        m_cpu->stop();
}

void Kernel::release_task(Task& t) {
    Process& p = t.process();
    // mm_release: tell a thread library waiting in pthread_join (CLONE_CHILD_CLEARTID).
    if (t.clear_child_tid && p.mm_ptr() && (p.threads.size() > 1 || p.mm_ptr().use_count() > 1))
        clear_child_tid(p.mm(), t.clear_child_tid);
    m_scheduler.remove(t);
    std::erase(p.threads, t.tid());
    auto it = m_tasks.find(t.tid());
    if (it != m_tasks.end()) {
        m_dead_tasks.push_back(std::move(it->second));
        m_tasks.erase(it);
    }
    if (p.threads.empty())
        exit_process(p);
}

void Kernel::exit_process(Process& p) {
    if (!p.exited())
        p.set_exit(proc::ExitState{0, 0});
    if (p.pid() == kFirstPid)
        m_first_exit = p.exit_state();
    record_exit(p);
    if (m_config.syscall_trace)
        m_config.syscall_trace->process_exited(p.pid(), p.exit_state());
    // Keep what wait4's rusage reports, then let memory and descriptors go.
    mm::FaultCounters faults = p.earlier_faults;
    if (p.mm_ptr())
        trace::add_counters(faults, p.mm().fault_counters());
    p.children_minflt += faults.minor;
    p.children_majflt += faults.major;
    p.children_cpu_ns += p.cpu_ns;
    if (m_loaded_mm == p.mm_ptr().get())
        m_loaded_mm = nullptr;
    p.set_mm(nullptr);
    p.set_files(nullptr);
    wake_all(proc::WaitKind::Pipe);
    wake_all(proc::WaitKind::Vfork, &p);
    reparent_children(p);
    notify_parent(p);
}

void Kernel::reparent_children(Process& p) {
    if (p.children.empty())
        return;
    // find_new_reaper: the nearest living ancestor that is a child subreaper, else the first
    // process while it lives, else init (faultline, which reaps at once).
    int reaper = kInitPid;
    for (Process* a = find_process(p.ppid()); a; a = find_process(a->ppid())) {
        if (a->child_subreaper && !a->exited()) {
            reaper = a->pid();
            break;
        }
    }
    if (reaper == kInitPid) {
        Process* first = find_process(kFirstPid);
        if (first && first != &p && !first->exited())
            reaper = kFirstPid;
    }
    const std::vector<int> children = p.children;
    p.children.clear();
    for (int pid : children) {
        Process* c = find_process(pid);
        if (!c)
            continue;
        c->set_ppid(reaper);
        if (Process* r = find_process(reaper))
            r->children.push_back(pid);
        if (c->pdeath_signal && !c->exited()) {
            linux_abi::SigInfo info{};
            info.signo = c->pdeath_signal;
            info.code = linux_abi::SI_USER;
            send_signal(*c, info);
        }
        if (c->zombie) {
            c->zombie = false;
            notify_parent(*c);
        }
    }
}

void Kernel::notify_parent(Process& child) {
    Process* parent = find_process(child.ppid());
    if (!parent || parent->exited()) {
        reap(child);
        return;
    }
    const int sig = child.exit_signal;
    bool autoreap = false;
    if (sig == kSigChld) {
        const linux_abi::KernelSigaction& a = parent->sigaction(kSigChld);
        autoreap = a.handler == linux_abi::SIG_IGN || (a.flags & linux_abi::SA_NOCLDWAIT);
    }
    if (sig > 0 && sig <= linux_abi::kNumSignals) {
        const proc::ExitState& e = child.exit_state();
        linux_abi::SigInfo info{};
        info.signo = sig;
        info.code = e.signal ? (e.core_dumped ? kCldDumped : kCldKilled) : kCldExited;
        info.fields.chld.pid = child.pid();
        info.fields.chld.uid = child.creds.uid;
        info.fields.chld.status = e.signal ? e.signal : e.status;
        send_signal(*parent, info);
    }
    if (autoreap)
        reap(child);
    else
        child.zombie = true;
    wake_all(proc::WaitKind::Child, parent);
}

void Kernel::reap(Process& child) {
    if (Process* parent = find_process(child.ppid())) {
        std::erase(parent->children, child.pid());
        parent->children_minflt += child.children_minflt;
        parent->children_cpu_ns += child.children_cpu_ns;
        parent->children_majflt += child.children_majflt;
    }
    child.zombie = false;
    m_processes.erase(child.pid());
}

KResult<std::optional<Kernel::WaitResult>> Kernel::wait_child(int pid, int options, bool keep) {
    Process& me = current();
    bool any = false;
    const std::vector<int> children = me.children;
    for (int cpid : children) {
        Process* c = find_process(cpid);
        if (!c)
            continue;
        if (pid > 0 && cpid != pid)
            continue;
        if (pid == 0 && c->pgid != me.pgid)
            continue;
        if (pid < -1 && c->pgid != -pid)
            continue;
        // A "clone" child reports to its parent with a signal other than SIGCHLD; only
        // __WCLONE waits for those, and only for those; __WALL for both.
        const bool clone_child = c->exit_signal != kSigChld;
        if (!(options & kWall) && clone_child != ((options & kWclone) != 0))
            continue;
        any = true;
        if (!c->zombie)
            continue;
        WaitResult r{cpid, c->exit_state(), c->creds.uid, c->children_minflt, c->children_majflt, c->children_cpu_ns};
        if (!keep)
            reap(*c);
        return std::optional<WaitResult>(r);
    }
    if (!any)
        return err(Errno::echild);
    (void)kWnohang;
    return std::optional<WaitResult>();
}

KResult<void> Kernel::setpgid(int pid, int pgid) {
    Process& me = current();
    if (pid == 0)
        pid = me.pid();
    if (pgid == 0)
        pgid = pid;
    if (pgid < 0)
        return err(Errno::einval);
    Process* p = find_process(pid);
    if (!p || p->zombie || (p != &me && p->ppid() != me.pid()))
        return err(Errno::esrch);
    if (p != &me) {
        if (p->sid != me.sid)
            return err(Errno::eperm);
        if (p->did_exec)
            return err(Errno::eacces);
    }
    if (p->sid == p->pid())
        return err(Errno::eperm);  // a session leader
    if (pgid != p->pid()) {
        bool found = false;
        for (auto& [_, q] : m_processes)
            if (q->pgid == pgid && q->sid == me.sid && !q->zombie)
                found = true;
        if (!found)
            return err(Errno::eperm);
    }
    p->pgid = pgid;
    return {};
}

KResult<int> Kernel::setsid() {
    Process& me = current();
    // EPERM if any process (this one included) already has a group with this pid.
    for (auto& [_, q] : m_processes)
        if (q->pgid == me.pid())
            return err(Errno::eperm);
    me.sid = me.pid();
    me.pgid = me.pid();
    return me.pid();
}

}  // namespace os
