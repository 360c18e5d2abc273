#pragma once

// Internals of api/selector.h shared by its .cc files: the label selector parser (a port of the
// lexer and recursive-descent parser of k8s.io/apimachinery/pkg/labels) and requirement checks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/selector.h"
#include "base/error.h"

namespace berth::api {

// The requirements of a label selector string, in written order. Errors as LabelSelector::parse.
Result<std::vector<LabelRequirement>> parseLabelRequirements(std::string_view text);

// labels.NewRequirement: validates the key, the values and their number for `op`; the values of
// the result are sorted and unique. Errors are kInvalidArgument in field-error form
// ("key: Invalid value: \"Bad_\": ...").
Result<LabelRequirement> newLabelRequirement(std::string key, SelectorOperator op,
                                             std::vector<std::string> values);

// A base-10 int64 (the operand of Gt/Lt), or nullopt.
std::optional<int64_t> parseSelectorInt(std::string_view s);

}  // namespace berth::api
