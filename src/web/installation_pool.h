// InstallationPool: one services::Installation per web worker thread, opened on the thread's
// first request and kept for the next ones (an Installation and its database connection belong
// to one thread; services/installation.h). Opening is serialised by the Installation itself;
// the pool's map is guarded by a mutex. Owned by the WebServer; outlives its worker threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "services/installation.h"

namespace casecrypt::web {

class InstallationPool {
public:
    InstallationPool(services::InstallationOptions options, const Clock& clock)
        : m_options(std::move(options)), m_clock(clock) {}

    // This thread's Installation, opened now when it has none; the error when it cannot be.
    Result<services::Installation*> for_this_thread();

private:
    services::InstallationOptions m_options;
    const Clock& m_clock;
    std::mutex m_mutex;
    std::map<std::thread::id, std::unique_ptr<services::Installation>> m_installations;
};

}  // namespace casecrypt::web
