#include "os/mm/anon_vma.h"

#include <cassert>

#include "os/mm/vma.h"

namespace os::mm {

void AnonVma::put() {
    assert(m_refcount > 0);
    if (--m_refcount != 0)
        return;
    assert(m_vmas.empty());
    delete this;
}

void AnonVma::link(Vma& vma) {
    assert(vma.anon_vma == this);
    m_vmas.push(vma, vma.anon_vma_node);
    get();
}

void AnonVma::unlink(Vma& vma) {
    assert(vma.anon_vma == this);
    m_vmas.erase(vma.anon_vma_node);
    put();
}

void anon_vma_assign(Vma& vma, AnonVma* av) {
    if (vma.anon_vma == av)
        return;
    const bool in_tree = vma.mm != nullptr;
    if (in_tree && vma.anon_vma)
        vma.anon_vma->unlink(vma);  // may free it
    vma.anon_vma = av;
    if (in_tree && av)
        av->link(vma);
}

}  // namespace os::mm
