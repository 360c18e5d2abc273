#include "apiserver/table.h"

#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;

namespace {

std::vector<TableColumn> columnsOf(const ResourceType& type) {
  if (!type.columns.empty() && type.row) {
    return type.columns;
  }
  return {types::nameColumn(), types::ageColumn()};
}

json partialObjectMetadata(const json& object) {
  const json* meta = types::at(object, {"metadata"});
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", meta && meta->is_object() ? *meta : json::object()}};
}

}  // namespace

json tableColumns(const ResourceType& type) {
  json out = json::array();
  for (const auto& c : columnsOf(type)) {
    out.push_back({{"name", c.name},
                   {"type", c.type},
                   {"format", c.format},
                   {"description", c.description},
                   {"priority", c.priority}});
  }
  return out;
}

json tableRow(const ResourceType& type, const json& object, bool includeObject) {
  json cells = json::array();
  if (!type.columns.empty() && type.row) {
    for (auto& cell : type.row(object)) {
      cells.push_back(std::move(cell));
    }
    // A row hook must match its columns; pad or cut rather than send a malformed table.
    while (cells.size() < type.columns.size()) {
      cells.push_back("");
    }
    while (cells.size() > type.columns.size()) {
      cells.erase(cells.size() - 1);
    }
  } else {
    cells.push_back(types::nameOf(object));
    cells.push_back(types::ageOf(object, {}));
  }
  json rowObject = includeObject ? object : partialObjectMetadata(object);
  return {{"cells", std::move(cells)}, {"object", std::move(rowObject)}};
}

json toTable(const ResourceType& type, const std::vector<json>& objects,
             const std::string& resourceVersion, bool includeObject) {
  json rows = json::array();
  for (const auto& object : objects) {
    rows.push_back(tableRow(type, object, includeObject));
  }
  json metadata = json::object();
  if (!resourceVersion.empty()) {
    metadata["resourceVersion"] = resourceVersion;
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", std::move(metadata)},
          {"columnDefinitions", tableColumns(type)},
          {"rows", std::move(rows)}};
}

json tableWatchEvent(const ResourceType& type, const std::string& eventType, const json& object,
                     bool includeObject) {
  std::string rv = types::text(object, {"metadata", "resourceVersion"});
  return {{"type", eventType}, {"object", toTable(type, {object}, rv, includeObject)}};
}

}  // namespace berth::apiserver
