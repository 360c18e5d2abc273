#include "api/quantity.h"

#include <charconv>
#include <limits>
#include <string>

namespace berth::api {
namespace {

constexpr std::string_view kFormatError =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// An exact quantity: (-1)^negative * digits * 10^exp10 * 2^exp2, digits without leading zeros
// ("" is zero). Kubernetes keeps arbitrary precision too, so comparisons are exact here.
enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

struct Exact {
  Format format = Format::kDecimalSI;
  bool negative = false;
  std::string digits;
  int64_t exp10 = 0;
  int exp2 = 0;
};

// Mirrors resource.parseQuantityString and suffix interpretation, so that the same inputs are
// accepted and rejected with the same messages.
Result<Exact> parseExact(std::string_view s) {
  if (s.empty()) {
    return fail(ErrorCode::kInvalidArgument, "{}", kFormatError);
  }
  Exact q;
  size_t pos = 0;
  const size_t end = s.size();
  if (s[0] == '-' || s[0] == '+') {
    q.negative = s[0] == '-';
    pos++;
  }
  while (pos < end && s[pos] == '0') {
    pos++;
  }
  if (pos == end) {
    return Exact{};  // only zeros (or a lone sign, which Kubernetes also reads as zero)
  }
  size_t numStart = pos;
  while (pos < end && isDigit(s[pos])) {
    pos++;
  }
  std::string digits(s.substr(numStart, pos - numStart));
  size_t denomLen = 0;
  if (pos < end && s[pos] == '.') {
    pos++;
    size_t denomStart = pos;
    while (pos < end && isDigit(s[pos])) {
      pos++;
    }
    denomLen = pos - denomStart;
    digits += s.substr(denomStart, denomLen);
  }
  size_t suffixStart = pos;
  while (pos < end && std::string_view("eEinumkKMGTP").find(s[pos]) != std::string_view::npos) {
    pos++;
  }
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) {
    pos++;
  }
  while (pos < end && isDigit(s[pos])) {
    pos++;
  }
  if (pos != end) {
    return fail(ErrorCode::kInvalidArgument, "{}", kFormatError);
  }
  std::string_view suffix = s.substr(suffixStart);

  static constexpr std::pair<std::string_view, int> kDecimal[] = {
      {"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
      {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static constexpr std::pair<std::string_view, int> kBinary[] = {
      {"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  bool known = false;
  for (const auto& [name, exp] : kDecimal) {
    if (suffix == name) {
      q.exp10 = exp;
      known = true;
    }
  }
  for (const auto& [name, exp] : kBinary) {
    if (suffix == name) {
      q.exp2 = exp;
      q.format = Format::kBinarySI;
      known = true;
    }
  }
  if (!known && suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view rest = suffix.substr(1);
    if (rest[0] == '+') {
      rest.remove_prefix(1);  // strconv.ParseInt accepts a leading '+'
    }
    int64_t exp = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), exp);
    // Kubernetes narrows the exponent to int32; beyond that range we refuse instead of wrapping.
    if (ec == std::errc() && ptr == rest.data() + rest.size() && !rest.empty() &&
        exp >= std::numeric_limits<int32_t>::min() && exp <= std::numeric_limits<int32_t>::max()) {
      q.exp10 = exp;
      q.format = Format::kDecimalExponent;
      known = true;
    }
  }
  if (!known) {
    return fail(ErrorCode::kInvalidArgument, "unable to parse quantity's suffix");
  }
  q.exp10 -= static_cast<int64_t>(denomLen);
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    return Exact{};
  }
  q.digits = digits.substr(first);
  return q;
}

// digits * 2^exp2 as a decimal string; exp2 <= 60 so every step fits in unsigned __int128.
std::string timesPowerOfTwo(const std::string& digits, int exp2) {
  if (exp2 == 0) {
    return digits;
  }
  const unsigned __int128 factor = static_cast<unsigned __int128>(1) << exp2;
  std::string out;
  unsigned __int128 carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned __int128 v = static_cast<unsigned __int128>(*it - '0') * factor + carry;
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    carry = v / 10;
  }
  while (carry > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(carry % 10)));
    carry /= 10;
  }
  return {out.rbegin(), out.rend()};
}

// The decimal form of q: digits * 10^exp10, trailing zeros moved into the exponent.
struct Decimal {
  bool negative = false;
  std::string digits;  // "" for zero, else no leading or trailing zeros
  int64_t exp10 = 0;
};

Decimal toDecimal(const Exact& q) {
  Decimal d{q.negative, timesPowerOfTwo(q.digits, q.exp2), q.exp10};
  while (!d.digits.empty() && d.digits.back() == '0') {
    d.digits.pop_back();
    d.exp10++;
  }
  if (d.digits.empty()) {
    d.negative = false;
  }
  return d;
}

// Rounds q * 10^shift away from zero to an int64.
Result<int64_t> toInt64(std::string_view text, int64_t shift) {
  BERTH_ASSIGN_OR_RETURN(Exact q, parseExact(text));
  Decimal d = toDecimal(q);
  if (d.digits.empty()) {
    return 0;
  }
  int64_t exp = d.exp10 + shift;
  int64_t intDigits = static_cast<int64_t>(d.digits.size()) + exp;
  if (intDigits > 19) {
    return fail(ErrorCode::kInvalidArgument, "quantity '{}' is too large", text);
  }
  unsigned __int128 magnitude = 0;
  bool fraction = false;
  if (exp >= 0) {
    for (char c : d.digits) {
      magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
    }
    for (int64_t i = 0; i < exp; i++) {
      magnitude *= 10;
    }
  } else {
    // The last -exp digits are the fraction; d.digits has no trailing zeros so it is non-zero.
    fraction = true;
    for (int64_t i = 0; i < intDigits; i++) {
      magnitude = magnitude * 10 + static_cast<unsigned>(d.digits[i] - '0');
    }
  }
  if (fraction) {
    magnitude++;
  }
  if (magnitude > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) {
    return fail(ErrorCode::kInvalidArgument, "quantity '{}' is too large", text);
  }
  int64_t value = static_cast<int64_t>(magnitude);
  return d.negative ? -value : value;
}

// Rounds d away from zero to a multiple of 10^-9, as ParseQuantity does.
void roundToNano(Decimal& d) {
  if (d.digits.empty() || d.exp10 >= -9) {
    return;
  }
  int64_t drop = -9 - d.exp10;
  std::string kept = static_cast<int64_t>(d.digits.size()) > drop
                         ? d.digits.substr(0, d.digits.size() - drop)
                         : std::string();
  // Dropped digits are non-zero (no trailing zeros), so round up: kept + 1.
  int i = static_cast<int>(kept.size()) - 1;
  while (i >= 0 && kept[i] == '9') {
    kept[i--] = '0';
  }
  if (i < 0) {
    kept.insert(kept.begin(), '1');
  } else {
    kept[i]++;
  }
  d.digits = kept;
  d.exp10 = -9;
  while (d.digits.back() == '0') {
    d.digits.pop_back();
    d.exp10++;
  }
}

std::string decimalCanonical(const Decimal& d, Format format) {
  // Exponent down to a multiple of 3 (floor), padding the mantissa with zeros.
  int64_t e3 = d.exp10 >= 0 ? d.exp10 / 3 * 3 : -((-d.exp10 + 2) / 3 * 3);
  std::string mantissa = d.digits + std::string(static_cast<size_t>(d.exp10 - e3), '0');
  std::string suffix;
  if (format == Format::kDecimalExponent) {
    suffix = e3 == 0 ? "" : "e" + std::to_string(e3);
  } else {
    if (e3 > 18) {
      mantissa += std::string(static_cast<size_t>(e3 - 18), '0');
      e3 = 18;
    }
    static constexpr std::string_view kSuffixes[] = {"n", "u", "m", "",  "k",
                                                     "M", "G", "T", "P", "E"};
    suffix = kSuffixes[(e3 + 9) / 3];
  }
  return (d.negative ? "-" : "") + mantissa + suffix;
}

}  // namespace

Result<std::string> canonicalQuantity(std::string_view text) {
  BERTH_ASSIGN_OR_RETURN(Exact q, parseExact(text));
  Decimal d = toDecimal(q);
  if (d.digits.empty()) {
    return std::string("0");
  }
  roundToNano(d);
  if (q.format == Format::kBinarySI && d.exp10 >= 0 &&
      d.digits.size() + static_cast<size_t>(d.exp10) <= 38) {
    unsigned __int128 v = 0;
    for (char c : d.digits) {
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    for (int64_t i = 0; i < d.exp10; i++) {
      v *= 10;
    }
    // Values under 1024 and fractions print as DecimalSI, like Kubernetes' CanonicalizeBytes.
    if (v >= 1024) {
      static constexpr std::string_view kSuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      size_t n = 0;
      while (n < 6 && v % 1024 == 0) {
        v /= 1024;
        n++;
      }
      std::string digits;
      do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
      } while (v > 0);
      return (d.negative ? "-" : "") + digits + std::string(kSuffixes[n]);
    }
  }
  return decimalCanonical(
      d, q.format == Format::kDecimalExponent ? Format::kDecimalExponent : Format::kDecimalSI);
}

Result<int64_t> parseQuantityMilli(std::string_view text) {
  return toInt64(text, 3);
}

Result<int64_t> parseQuantity(std::string_view text) {
  return toInt64(text, 0);
}

Status checkQuantity(std::string_view text) {
  BERTH_TRY_STATUS(parseExact(text));
  return ok();
}

Result<int> compareQuantities(std::string_view a, std::string_view b) {
  BERTH_ASSIGN_OR_RETURN(Exact qa, parseExact(a));
  BERTH_ASSIGN_OR_RETURN(Exact qb, parseExact(b));
  Decimal da = toDecimal(qa);
  Decimal db = toDecimal(qb);
  auto sign = [](const Decimal& d) { return d.digits.empty() ? 0 : (d.negative ? -1 : 1); };
  if (sign(da) != sign(db)) {
    return sign(da) < sign(db) ? -1 : 1;
  }
  if (sign(da) == 0) {
    return 0;
  }
  // Same sign: compare magnitudes by integer-digit count, then digit by digit.
  int magnitude = 0;
  int64_t lenA = static_cast<int64_t>(da.digits.size()) + da.exp10;
  int64_t lenB = static_cast<int64_t>(db.digits.size()) + db.exp10;
  if (lenA != lenB) {
    magnitude = lenA < lenB ? -1 : 1;
  } else {
    size_t n = std::max(da.digits.size(), db.digits.size());
    da.digits.resize(n, '0');
    db.digits.resize(n, '0');
    int c = da.digits.compare(db.digits);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return da.negative ? -magnitude : magnitude;
}

}  // namespace berth::api
