#pragma once

// metrics.k8s.io/v1beta1 over HTTP, read-only, from the MetricsCache (what `kubectl top` reads):
//   GET /apis/metrics.k8s.io/v1beta1/[namespaces/NS/]pods[/NAME]  PodMetrics(List)
//   GET /apis/metrics.k8s.io/v1beta1/nodes[/NAME]                  NodeMetrics(List)
// Lists take labelSelector, matched against the labels of the pod or node itself (looked up in
// the object store; metrics of objects no longer there are left out), and fieldSelector on
// metadata.name/metadata.namespace. Items carry the object's labels, as metrics-server's do.
// A missing item is a 404 NotFound Status ("pods.metrics.k8s.io \"x\" not found");
// anything but GET is 405. Access is decided by the Authorizer (masters only; nodes have no
// business here). The routes must be added before the generic resource routes.

#include "apiserver/authorizer.h"
#include "apiserver/metrics_cache.h"
#include "apiserver/resource_handlers.h"
#include "http/server.h"

namespace berth::apiserver {

void addMetricsRoutes(http::Router& router, MetricsCache& cache, ResourceHandlers& handlers,
                      Authorizer& authorizer);

}  // namespace berth::apiserver
