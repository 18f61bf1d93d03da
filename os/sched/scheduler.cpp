#include "os/sched/scheduler.h"

#include <algorithm>

namespace os::sched {

using proc::TaskState;

void Scheduler::enqueue(Task& t) {
    t.state = TaskState::Runnable;
    m_run_queue.push_back(&t);
}

Task* Scheduler::pick_next() {
    if (m_run_queue.empty())
        return nullptr;
    Task* t = m_run_queue.front();
    m_run_queue.pop_front();
    return t;
}

void Scheduler::sleep(Task& t, WaitChannel channel, std::optional<std::uint64_t> deadline, bool interruptible) {
    t.state = TaskState::Sleeping;
    t.channel = channel;
    t.deadline = deadline;
    t.interruptible = interruptible;
    t.wake_reason = WakeReason::None;
    t.sleep_seq = ++m_sleep_seq;
    m_sleepers.push_back(&t);
}

void Scheduler::wake_task(Task& t, WakeReason reason) {
    if (t.state != TaskState::Sleeping)
        return;
    std::erase(m_sleepers, &t);
    t.wake_reason = reason;
    t.deadline.reset();
    enqueue(t);
}

int Scheduler::wake(const WaitChannel& channel, int max) {
    int woken = 0;
    // Copy: wake_task edits the list.
    const std::vector<Task*> sleepers = m_sleepers;
    for (Task* t : sleepers) {
        if (woken >= max)
            break;
        if (t->channel == channel && t->channel.kind != WaitKind::Timer) {
            wake_task(*t, WakeReason::Woken);
            ++woken;
        }
    }
    return woken;
}

int Scheduler::wake_futex(const WaitChannel& channel, int max, std::uint32_t bitset) {
    int woken = 0;
    const std::vector<Task*> sleepers = m_sleepers;
    for (Task* t : sleepers) {
        if (woken >= max)
            break;
        if (t->channel == channel && (t->futex_bitset & bitset)) {
            wake_task(*t, WakeReason::Woken);
            ++woken;
        }
    }
    return woken;
}

int Scheduler::wake_all(WaitKind kind, const void* object) {
    int woken = 0;
    const std::vector<Task*> sleepers = m_sleepers;
    for (Task* t : sleepers) {
        if (t->channel.kind == kind && (object == nullptr || t->channel.object == object)) {
            wake_task(*t, WakeReason::Woken);
            ++woken;
        }
    }
    return woken;
}

int Scheduler::requeue(const WaitChannel& from, const WaitChannel& to, int max) {
    int moved = 0;
    for (Task* t : m_sleepers) {
        if (moved >= max)
            break;
        if (t->channel == from) {
            t->channel = to;
            ++moved;
        }
    }
    return moved;
}

void Scheduler::remove(Task& t) {
    std::erase(m_sleepers, &t);
    std::erase(m_run_queue, &t);
    t.state = TaskState::Dead;
}

std::optional<std::uint64_t> Scheduler::earliest_deadline() const {
    std::optional<std::uint64_t> earliest;
    for (const Task* t : m_sleepers)
        if (t->deadline && (!earliest || *t->deadline < *earliest))
            earliest = t->deadline;
    return earliest;
}

int Scheduler::expire(std::uint64_t now) {
    int woken = 0;
    const std::vector<Task*> sleepers = m_sleepers;
    for (Task* t : sleepers) {
        if (t->deadline && *t->deadline <= now) {
            wake_task(*t, WakeReason::TimedOut);
            ++woken;
        }
    }
    return woken;
}

}  // namespace os::sched
