#include "cli/command_suggestion.h"

#include <algorithm>
#include <numeric>

namespace casecrypt::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: insertions, deletions, substitutions and swaps of two neighbours
    // ("sned" for "send") cost one each. Three rows of the table; commands are short, so this is
    // cheap whatever was typed (a word of 100 KiB is cut: it is no typo of a command name).
    a = a.substr(0, 64);
    b = b.substr(0, 64);
    std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    std::iota(previous.begin(), previous.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                current[j] = std::min(current[j], before[j - 2] + 1);
            }
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::optional<std::string> nearest(std::string_view typed, const std::vector<std::string>& names) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& name : names) {
        std::size_t distance = edit_distance(typed, name);
        // "tick" for "ticket", "certs" for "cert": a prefix either way is the likeliest typo.
        const bool prefix =
            typed.size() >= 2 && (name.starts_with(typed) || typed.starts_with(name));
        if (prefix)
            distance = std::min<std::size_t>(distance, 1);
        const bool near = prefix || (distance <= 2 && distance * 2 < typed.size());
        if (near && (!best || distance < best_distance)) {
            best = name;
            best_distance = distance;
        }
    }
    return best;
}

namespace {

// The deepest command the parse got into ("mail" for `casecrypt mail sned`).
const CLI::App* deepest_parsed(const CLI::App& app) {
    for (const CLI::App* sub : app.get_subcommands()) {
        return deepest_parsed(*sub);
    }
    return &app;
}

std::string command_path(const CLI::App& app) {
    std::string path;
    for (const CLI::App* a = &app; a != nullptr && a->get_parent() != nullptr;
         a = a->get_parent()) {
        path = a->get_name() + (path.empty() ? "" : " " + path);
    }
    return path;
}

}  // namespace

std::optional<std::string> unknown_command_message(const CLI::App& app) {
    const CLI::App* where = deepest_parsed(app);
    const auto subcommands = where->get_subcommands([](const CLI::App*) { return true; });
    if (subcommands.empty())
        return std::nullopt;
    std::vector<std::string> names;
    for (const CLI::App* sub : subcommands)
        names.push_back(sub->get_name());
    for (const auto& word : where->remaining(false)) {
        if (word.empty() || word.front() == '-')
            continue;
        std::string message = "unknown command '" + word + "'";
        const std::string path = command_path(*where);
        if (!path.empty())
            message += " for 'casecrypt " + path + "'";
        if (auto guess = nearest(word, names)) {
            message += "; did you mean '" + *guess + "'?";
        } else {
            std::string list;
            for (const auto& n : names)
                list += (list.empty() ? "" : ", ") + n;
            message += " (commands: " + list + ")";
        }
        return message;
    }
    return std::nullopt;
}

}  // namespace casecrypt::cli
