// What the fuzz targets share: stopping on a broken set-up, and a private work directory for
// the files an input needs (in /dev/shm when it exists, so per-input files never touch a disk).
// Not part of the product; single-threaded, as libFuzzer runs a target.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace casecrypt::fuzz {

// Prints "fuzz: <why>" and aborts, so libFuzzer saves the input that got there.
[[noreturn]] void die(const std::string& why);

// Creates the process's work directory, a fresh "<name>-XXXXXX" under $CASECRYPT_FUZZ_WORK, else
// /dev/shm, else the temp directory; removed with everything in it when the process exits
// normally (a crash leaves it: scripts/fuzz.sh points CASECRYPT_FUZZ_WORK at a directory it
// removes itself). Call once, from LLVMFuzzerInitialize.
void make_work_root(const std::string& name);
const std::filesystem::path& work_root();

// Keeps a computed value alive so the compiler cannot drop the reads that produced it.
void keep(std::size_t value);

}  // namespace casecrypt::fuzz
