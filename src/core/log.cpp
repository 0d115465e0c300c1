#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace casecrypt::log {

void init(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("casecrypt");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S%z %l %v");
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

}  // namespace casecrypt::log
