#pragma once

// Label helpers for maps of labels (metadata.labels, spec.nodeSelector). Label selectors
// ("app in (a, b), !canary") are in api/selector.h. Pure functions, thread-safe.

#include <map>
#include <string>

namespace berth::api {

using Labels = std::map<std::string, std::string>;

// "app=web,tier=front": sorted by key, as Kubernetes' labels.Set.String() and kubectl's LABELS
// column print them; "" for no labels.
std::string formatLabels(const Labels& labels);

// True when every key of `selector` is in `labels` with the same value (an equality-based
// selector such as spec.nodeSelector). An empty selector matches everything.
bool labelsMatch(const Labels& selector, const Labels& labels);

}  // namespace berth::api
