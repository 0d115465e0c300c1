#include "web/installation_pool.h"

namespace casecrypt::web {

Result<services::Installation*> InstallationPool::for_this_thread() {
    const auto id = std::this_thread::get_id();
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_installations.find(id); it != m_installations.end())
            return it->second.get();
    }
    // Opened outside the lock: several threads may open theirs at once (installation.h).
    auto opened = services::Installation::open(m_options, m_clock);
    if (!opened)
        return std::unexpected(opened.error());
    std::lock_guard lock(m_mutex);
    auto& slot = m_installations[id];
    slot = std::move(*opened);
    return slot.get();
}

}  // namespace casecrypt::web
