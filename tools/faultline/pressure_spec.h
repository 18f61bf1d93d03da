// The text of --pressure: a schedule of steps that change the machine's RAM while the
// program runs (os/mm/pressure_schedule.h). The grammar (README, "Memory pressure"):
//
//   spec   := step { (';' | newline) step }        '#' starts a comment to the end of a line
//   step   := a 'when' clause and an action, in any order:
//   when   := ('at' | 'after') POINT                once
//           | 'every' POINT ['from' POINT] ['until' POINT]
//                                                   at POINT, 2 POINT, ... (from: the first)
//   POINT  := DURATION                              virtual time since the start: 50ms, 2s
//           | N ('faults' | 'fault')                the run's Nth page fault
//   action := 'ram' SIZE                            usable RAM becomes SIZE (1M .. --ram)
//           | 'steal' AMOUNT                        AMOUNT less usable RAM (not below 1M)
//           | 'give' AMOUNT                         AMOUNT more (not above --ram)
//   AMOUNT := N ['frames' | 'frame' | 'pages']      N frames of 4 KiB
//           | SIZE                                  a size with its unit: 64K, 2M
//
// Examples: "at 50ms ram 8M; at 200ms ram 64M", "every 10ms steal 16 until 100ms",
// "after 5000 faults ram 16M".
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "os/mm/pressure_schedule.h"

namespace tools {

// The steps of one --pressure argument, or why it is wrong (naming the step and the word).
std::expected<std::vector<os::mm::PressureStep>, std::string> parse_pressure_spec(std::string_view text);

// "@FILE" is replaced by FILE's contents; anything else is returned as it is. An error if
// the file cannot be read.
std::expected<std::string, std::string> expand_at_file(const std::string& argument);

}  // namespace tools
