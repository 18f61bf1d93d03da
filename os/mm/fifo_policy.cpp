// FIFO: the page resident longest goes first, however much it is used (the policy that
// shows Belady's anomaly). References are ignored. A page reclaim could not take goes to the
// back of the queue, as if it had just arrived, so that the next victims are others.
#include "os/mm/frame_list.h"
#include "os/mm/replacement_policy.h"

namespace os::mm {

namespace {

class FifoPolicy final : public ReplacementPolicy {
public:
    explicit FifoPolicy(std::size_t frames) : m_queue(frames) {}

    std::string_view name() const override { return "fifo"; }
    void on_page_added(Pfn pfn) override { m_queue.push_back(pfn); }
    void on_page_removed(Pfn pfn) override {
        if (m_queue.contains(pfn))
            m_queue.erase(pfn);
    }
    void on_access(Pfn) override {}
    void on_rotate(Pfn pfn) override {
        if (m_queue.contains(pfn))
            m_queue.move_to_back(pfn);
    }
    std::vector<Pfn> choose_victims(std::size_t n, const ReferenceProbe&, const PageFilter& eligible) override {
        std::vector<Pfn> out;
        for (auto p = m_queue.front(); p && out.size() < n; p = m_queue.next(*p))
            if (!eligible || eligible(*p))
                out.push_back(*p);
        return out;
    }
    std::size_t size() const override { return m_queue.size(); }

private:
    FrameList m_queue;  // oldest first
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_fifo_policy(std::size_t frames) { return std::make_unique<FifoPolicy>(frames); }

}  // namespace os::mm
