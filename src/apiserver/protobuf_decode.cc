#include "apiserver/protobuf_decode.h"

#include <cctype>

#include "apiserver/protobuf_values.h"
#include "apiserver/protobuf_wire.h"

namespace berth::apiserver {

namespace {

using nlohmann::json;
using protobuf::FieldDescriptor;
using protobuf::FieldType;
using protobuf::MessageDescriptor;
using protobuf::WireField;
using protobuf::WireReader;
using protobuf::WireType;

constexpr std::string_view kMagic{"k8s\0", 4};

std::string_view wireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "64-bit";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kFixed32:
      return "32-bit";
    default:
      return "group";
  }
}

Status expectWireType(const WireField& field, WireType want) {
  if (field.type != want) {
    return fail(ErrorCode::kInvalidArgument, "field {} is {}, want {}", field.number,
                wireTypeName(field.type), wireTypeName(want));
  }
  return ok();
}

// A field the schema does not know is fine while it holds nothing: Go's marshaller writes every
// non-pointer field, including ones newer than Berth's tables.
bool isEmpty(const WireField& field) {
  return field.type == WireType::kLengthDelimited ? field.bytes.empty() : field.scalar == 0;
}

bool isZero(const json& value) {
  return (value.is_string() && value.get_ref<const std::string&>().empty()) ||
         (value.is_boolean() && !value.get<bool>()) ||
         (value.is_number_integer() && value.get<int64_t>() == 0);
}

Result<std::string> readString(const WireField& field) {
  BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
  if (!protobuf::isValidUtf8(field.bytes)) {
    return fail(ErrorCode::kInvalidArgument, "field {} is not valid UTF-8", field.number);
  }
  return std::string(field.bytes);
}

// Reads the varint fields 1 and 2 of a small message (Time, Duration) into `first`/`second`.
Status readTwoVarints(std::string_view bytes, int64_t& first, int64_t& second) {
  WireReader reader(bytes);
  while (!reader.done()) {
    BERTH_ASSIGN_OR_RETURN(WireField field, reader.next());
    if (field.number == 1 || field.number == 2) {
      BERTH_TRY_STATUS(expectWireType(field, WireType::kVarint));
      (field.number == 1 ? first : second) = protobuf::varintToInt64(field.scalar);
    } else if (!isEmpty(field)) {
      return fail(ErrorCode::kInvalidArgument, "unexpected field {}", field.number);
    }
  }
  return ok();
}

// resource.Quantity {string=1}: its canonical string. An absent string is the zero quantity.
Result<json> decodeQuantity(std::string_view bytes) {
  std::string text = "0";
  WireReader reader(bytes);
  while (!reader.done()) {
    BERTH_ASSIGN_OR_RETURN(WireField field, reader.next());
    if (field.number == 1) {
      BERTH_ASSIGN_OR_RETURN(text, readString(field));
      if (text.empty()) {
        return fail(ErrorCode::kInvalidArgument, "empty quantity");
      }
    } else if (!isEmpty(field)) {
      return fail(ErrorCode::kInvalidArgument, "unexpected quantity field {}", field.number);
    }
  }
  return json(text);
}

// intstr.IntOrString {type=1 (0 int, 1 string), intVal=2, strVal=3}.
Result<json> decodeIntOrString(std::string_view bytes) {
  uint64_t type = 0;
  int32_t intVal = 0;
  std::string strVal;
  WireReader reader(bytes);
  while (!reader.done()) {
    BERTH_ASSIGN_OR_RETURN(WireField field, reader.next());
    if (field.number == 1 || field.number == 2) {
      BERTH_TRY_STATUS(expectWireType(field, WireType::kVarint));
      if (field.number == 1) {
        type = field.scalar;
      } else {
        intVal = protobuf::varintToInt32(field.scalar);
      }
    } else if (field.number == 3) {
      BERTH_ASSIGN_OR_RETURN(strVal, readString(field));
    } else if (!isEmpty(field)) {
      return fail(ErrorCode::kInvalidArgument, "unexpected IntOrString field {}", field.number);
    }
  }
  if (type > 1) {
    return fail(ErrorCode::kInvalidArgument, "IntOrString type {} is neither 0 nor 1", type);
  }
  return type == 1 ? json(strVal) : json(intVal);
}

// The JSON value of a non-message field. A null result means "absent" (a zero Time).
Result<json> decodeValue(const FieldDescriptor& descriptor, const WireField& field) {
  using namespace protobuf;
  switch (descriptor.type) {
    case kString: {
      BERTH_ASSIGN_OR_RETURN(std::string text, readString(field));
      return json(std::move(text));
    }
    case kBytes:
      BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
      return json(base64Encode(field.bytes));
    case kBool:
      BERTH_TRY_STATUS(expectWireType(field, WireType::kVarint));
      return json(field.scalar != 0);
    case kInt32:
      BERTH_TRY_STATUS(expectWireType(field, WireType::kVarint));
      return json(varintToInt32(field.scalar));
    case kInt64:
      BERTH_TRY_STATUS(expectWireType(field, WireType::kVarint));
      return json(varintToInt64(field.scalar));
    case kMessage:
      break;  // handled by the caller
    case kQuantity:
      BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
      return decodeQuantity(field.bytes);
    case kIntOrString:
      BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
      return decodeIntOrString(field.bytes);
    case kTime:
    case kMicroTime: {
      BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
      if (field.bytes.empty()) {
        return json();  // Go marshals the zero time as an empty message
      }
      int64_t seconds = 0;
      int64_t nanos = 0;
      BERTH_TRY_STATUS(readTwoVarints(field.bytes, seconds, nanos));
      BERTH_ASSIGN_OR_RETURN(std::string text,
                             formatTime(seconds, nanos, descriptor.type == kMicroTime));
      return json(std::move(text));
    }
    case kDuration: {
      BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
      int64_t nanoseconds = 0;
      int64_t unused = 0;
      BERTH_TRY_STATUS(readTwoVarints(field.bytes, nanoseconds, unused));
      return json(formatGoDuration(nanoseconds));
    }
    case kFieldsV1: {
      BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
      WireReader reader(field.bytes);
      json raw;  // FieldsV1 {Raw=1}: the JSON text of a field set
      while (!reader.done()) {
        BERTH_ASSIGN_OR_RETURN(WireField inner, reader.next());
        BERTH_TRY_STATUS(expectWireType(inner, WireType::kLengthDelimited));
        raw = json::parse(inner.bytes, nullptr, /*allow_exceptions=*/false);
        if (raw.is_discarded()) {
          return fail(ErrorCode::kInvalidArgument, "fieldsV1 is not JSON");
        }
      }
      return raw.is_null() ? json::object() : raw;
    }
  }
  return fail(ErrorCode::kInternal, "field '{}' has no scalar type", descriptor.jsonName);
}

Status decodeInto(const MessageDescriptor& descriptor, std::string_view bytes, json& out);

// map<string, T>: each entry is a message {key=1, value=2}; missing parts are zero values.
Status decodeMapEntry(const FieldDescriptor& descriptor, std::string_view bytes, json& map) {
  std::string key;
  json value;
  WireReader reader(bytes);
  while (!reader.done()) {
    BERTH_ASSIGN_OR_RETURN(WireField field, reader.next());
    if (field.number == 1) {
      BERTH_ASSIGN_OR_RETURN(key, readString(field));
    } else if (field.number == 2) {
      BERTH_ASSIGN_OR_RETURN(value, decodeValue(descriptor, field));
    } else if (!isEmpty(field)) {
      return fail(ErrorCode::kInvalidArgument, "unexpected map entry field {}", field.number);
    }
  }
  if (value.is_null()) {
    value = descriptor.type == protobuf::kQuantity ? json("0") : json("");
  }
  map[key] = std::move(value);
  return ok();
}

// Packed repeated varints: one length-delimited field holding the values back to back.
Status decodePacked(const FieldDescriptor& descriptor, std::string_view bytes, json& array) {
  WireReader reader(bytes);
  while (!reader.done()) {
    WireField element{.number = descriptor.number, .type = WireType::kVarint};
    BERTH_ASSIGN_OR_RETURN(element.scalar, reader.readVarint());
    BERTH_ASSIGN_OR_RETURN(json value, decodeValue(descriptor, element));
    array.push_back(std::move(value));
  }
  return ok();
}

Status decodeField(const FieldDescriptor& descriptor, const WireField& field, json& out) {
  const std::string key(descriptor.jsonName);
  if (descriptor.flags & protobuf::kMap) {
    BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
    if (!out.contains(key)) {
      out[key] = json::object();
    }
    return decodeMapEntry(descriptor, field.bytes, out[key]);
  }
  if (descriptor.type == protobuf::kMessage) {
    BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
    if (descriptor.flags & protobuf::kInline) {
      return decodeInto(*descriptor.message, field.bytes, out);
    }
    if (descriptor.flags & protobuf::kRepeated) {
      json element = json::object();
      BERTH_TRY_STATUS(decodeInto(*descriptor.message, field.bytes, element));
      out[key].push_back(std::move(element));
      return ok();
    }
    // A repeated occurrence of a singular message merges into the first, as protobuf does.
    if (!out.contains(key)) {
      out[key] = json::object();
    }
    return decodeInto(*descriptor.message, field.bytes, out[key]);
  }
  if (descriptor.flags & protobuf::kRepeated) {
    if (!out.contains(key)) {
      out[key] = json::array();
    }
    bool varintType = descriptor.type == protobuf::kBool || descriptor.type == protobuf::kInt32 ||
                      descriptor.type == protobuf::kInt64;
    if (varintType && field.type == WireType::kLengthDelimited) {
      return decodePacked(descriptor, field.bytes, out[key]);
    }
    BERTH_ASSIGN_OR_RETURN(json value, decodeValue(descriptor, field));
    if (!value.is_null()) {
      out[key].push_back(std::move(value));
    }
    return ok();
  }
  BERTH_ASSIGN_OR_RETURN(json value, decodeValue(descriptor, field));
  // The last occurrence wins; a zero value of an omitempty field leaves the field absent.
  if (value.is_null() || (isZero(value) && !(descriptor.flags & protobuf::kKeepZero))) {
    out.erase(key);
  } else {
    out[key] = std::move(value);
  }
  return ok();
}

// Decodes the fields of one message into the JSON object `out`. Recursion is bounded by the
// schema, which has no cycles, so hostile nesting cannot exhaust the stack.
Status decodeInto(const MessageDescriptor& descriptor, std::string_view bytes, json& out) {
  WireReader reader(bytes);
  while (!reader.done()) {
    BERTH_ASSIGN_OR_RETURN(WireField field, reader.next());
    const FieldDescriptor* fieldDescriptor = descriptor.find(field.number);
    if (fieldDescriptor == nullptr) {
      if (isEmpty(field)) {
        continue;
      }
      return fail(ErrorCode::kInvalidArgument, "field {} of '{}' is not supported; send JSON",
                  field.number, descriptor.name);
    }
    if (auto status = decodeField(*fieldDescriptor, field, out); !status) {
      return fail(std::move(status.error()).wrap(fieldDescriptor->jsonName));
    }
  }
  return ok();
}

struct Envelope {
  std::string apiVersion;
  std::string kind;
  std::string_view raw;
  bool hasRaw = false;
  std::string contentEncoding;
  std::string contentType;
};

// runtime.Unknown {typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4}.
Result<Envelope> readEnvelope(std::string_view bytes) {
  Envelope envelope;
  WireReader reader(bytes);
  while (!reader.done()) {
    BERTH_ASSIGN_OR_RETURN(WireField field, reader.next());
    switch (field.number) {
      case 1: {
        BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
        WireReader typeMeta(field.bytes);
        while (!typeMeta.done()) {
          BERTH_ASSIGN_OR_RETURN(WireField inner, typeMeta.next());
          if (inner.number == 1) {
            BERTH_ASSIGN_OR_RETURN(envelope.apiVersion, readString(inner));
          } else if (inner.number == 2) {
            BERTH_ASSIGN_OR_RETURN(envelope.kind, readString(inner));
          }
        }
        break;
      }
      case 2:
        BERTH_TRY_STATUS(expectWireType(field, WireType::kLengthDelimited));
        envelope.raw = field.bytes;
        envelope.hasRaw = true;
        break;
      case 3: {
        BERTH_ASSIGN_OR_RETURN(envelope.contentEncoding, readString(field));
        break;
      }
      case 4: {
        BERTH_ASSIGN_OR_RETURN(envelope.contentType, readString(field));
        break;
      }
      default:
        break;  // unknown envelope fields carry nothing Berth needs
    }
  }
  return envelope;
}

}  // namespace

bool isKubernetesProtobuf(std::string_view contentType) {
  constexpr std::string_view kType = "application/vnd.kubernetes.protobuf";
  std::string_view base = contentType.substr(0, contentType.find(';'));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) {
    base.remove_suffix(1);
  }
  while (!base.empty() && (base.front() == ' ' || base.front() == '\t')) {
    base.remove_prefix(1);
  }
  if (base.size() != kType.size()) {
    return false;
  }
  for (size_t i = 0; i < base.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(base[i])) != kType[i]) {
      return false;
    }
  }
  return true;
}

Result<nlohmann::json> decodeProtobufMessage(const protobuf::MessageDescriptor& descriptor,
                                             std::string_view bytes) {
  json out = json::object();
  BERTH_TRY_STATUS(decodeInto(descriptor, bytes, out));
  return out;
}

Result<nlohmann::json> decodeKubernetesProtobuf(std::string_view body) {
  if (!body.starts_with(kMagic)) {
    return fail(ErrorCode::kInvalidArgument,
                "malformed protobuf body: it does not start with the magic \"k8s\\x00\"");
  }
  auto envelope = readEnvelope(body.substr(kMagic.size()));
  if (!envelope) {
    return fail(std::move(envelope.error()).wrap("malformed protobuf body: envelope"));
  }
  if (envelope->kind.empty()) {
    return fail(ErrorCode::kInvalidArgument, "malformed protobuf body: the envelope has no kind");
  }
  if (!envelope->hasRaw) {
    return fail(ErrorCode::kInvalidArgument, "malformed protobuf body: the envelope has no object");
  }
  if (!envelope->contentEncoding.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "protobuf bodies with content encoding '{}' are not supported; send JSON",
                envelope->contentEncoding);
  }
  if (!envelope->contentType.empty() && !isKubernetesProtobuf(envelope->contentType)) {
    return fail(ErrorCode::kInvalidArgument,
                "protobuf envelopes of content type '{}' are not supported; send JSON",
                envelope->contentType);
  }
  const MessageDescriptor* descriptor = protobuf::findKind(envelope->apiVersion, envelope->kind);
  if (descriptor == nullptr) {
    return fail(ErrorCode::kInvalidArgument,
                "protobuf bodies are not supported for {}/{}; send JSON", envelope->apiVersion,
                envelope->kind);
  }
  auto object = decodeProtobufMessage(*descriptor, envelope->raw);
  if (!object) {
    Error error = std::move(object.error());
    // Unsupported fields keep their own wording; everything else is a malformed body.
    if (error.message().find("; send JSON") == std::string::npos) {
      error.wrap(
          fmt::format("malformed protobuf body: {}/{}", envelope->apiVersion, envelope->kind));
    } else {
      error.wrap(fmt::format("{}/{}", envelope->apiVersion, envelope->kind));
    }
    return fail(std::move(error));
  }
  (*object)["apiVersion"] = envelope->apiVersion;
  (*object)["kind"] = envelope->kind;
  return object;
}

}  // namespace berth::apiserver
