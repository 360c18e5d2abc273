#include "api/selector_parser.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "api/name_validation.h"

namespace berth::api {
namespace {

// --- label selector lexer: the tokens of k8s.io/apimachinery/pkg/labels/selector.go ---

enum class Token {
  kError,
  kEnd,
  kClosePar,
  kComma,
  kNot,
  kDoubleEquals,
  kEquals,
  kGreater,
  kIdentifier,
  kIn,
  kLess,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Token token;
  std::string literal;
};

std::optional<Token> keywordOrSymbol(std::string_view s) {
  static const std::map<std::string_view, Token> kTokens = {
      {")", Token::kClosePar},      {",", Token::kComma},   {"!", Token::kNot},
      {"==", Token::kDoubleEquals}, {"=", Token::kEquals},  {">", Token::kGreater},
      {"in", Token::kIn},           {"<", Token::kLess},    {"!=", Token::kNotEquals},
      {"notin", Token::kNotIn},     {"(", Token::kOpenPar},
  };
  auto it = kTokens.find(s);
  if (it == kTokens.end()) {
    return std::nullopt;
  }
  return it->second;
}

bool isWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isSpecialSymbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

// Splits the whole input into tokens, ending with kEnd (or kError).
std::vector<Item> lex(std::string_view s) {
  std::vector<Item> items;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && isWhitespace(s[pos])) {
      ++pos;
    }
    if (pos >= s.size()) {
      items.push_back({Token::kEnd, ""});
      return items;
    }
    if (isSpecialSymbol(s[pos])) {
      // Longest run of special symbols that is still a token ("!=" rather than "!").
      std::string buffer;
      std::optional<Item> last;
      while (pos < s.size() && isSpecialSymbol(s[pos])) {
        buffer += s[pos];
        if (auto token = keywordOrSymbol(buffer)) {
          last = Item{*token, buffer};
          ++pos;
        } else if (last) {
          break;
        } else {
          ++pos;
        }
      }
      if (!last) {
        items.push_back({Token::kError, "error expected: keyword found '" + buffer + "'"});
        return items;
      }
      items.push_back(std::move(*last));
      continue;
    }
    size_t start = pos;
    while (pos < s.size() && !isSpecialSymbol(s[pos]) && !isWhitespace(s[pos])) {
      ++pos;
    }
    std::string word(s.substr(start, pos - start));
    auto token = keywordOrSymbol(word);
    items.push_back({token ? *token : Token::kIdentifier, std::move(word)});
  }
}

// field.ErrorList.ToAggregate().Error(): one message, or "[a, b]" for several.
std::string aggregate(const std::vector<std::string>& errors) {
  if (errors.size() == 1) {
    return errors[0];
  }
  std::string out = "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    out += (i > 0 ? ", " : "") + errors[i];
  }
  return out + "]";
}

std::string joined(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

// field.Invalid(path, value, detail).Error().
std::string invalid(std::string_view path, std::string_view value,
                    const std::vector<std::string>& details) {
  return fmt::format("{}: Invalid value: \"{}\": {}", path, value, joined(details, "; "));
}

std::string valuesForError(const std::vector<std::string>& values) {
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) {
    out += fmt::format("{}\"{}\"", i > 0 ? ", " : "", values[i]);
  }
  return out + "}";
}

std::optional<int64_t> parseInt(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

// labels.NewRequirement: validates and normalizes (values sorted and unique).
Result<LabelRequirement> newRequirement(std::string key, SelectorOperator op,
                                        std::vector<std::string> values) {
  std::vector<std::string> errors;
  if (auto errs = isQualifiedName(key); !errs.empty()) {
    errors.push_back(invalid("key", key, errs));
  }
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (values.empty()) {
        errors.push_back(invalid("values", valuesForError(values),
                                 {"for 'in', 'notin' operators, values set can't be empty"}));
      }
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (values.size() != 1) {
        errors.push_back(invalid("values", valuesForError(values),
                                 {"exact-match compatibility requires one single value"}));
      }
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!values.empty()) {
        errors.push_back(invalid("values", valuesForError(values),
                                 {"values set must be empty for exists and does not exist"}));
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (values.size() != 1) {
        errors.push_back(invalid("values", valuesForError(values),
                                 {"for 'Gt', 'Lt' operators, exactly one value is required"}));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        if (!parseInt(values[i])) {
          errors.push_back(invalid(fmt::format("values[{}]", i), values[i],
                                   {"for 'Gt', 'Lt' operators, the value must be an integer"}));
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (auto errs = isValidLabelValue(values[i]); !errs.empty()) {
      errors.push_back(invalid(fmt::format("values[{}][{}]", i, key), values[i], errs));
    }
  }
  if (!errors.empty()) {
    return fail(ErrorCode::kInvalidArgument, "{}", aggregate(errors));
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return LabelRequirement{std::move(key), op, std::move(values)};
}

// A recursive-descent parser over the token list. In a "values" context the keywords `in` and
// `notin` are plain identifiers, so "x in (in)" and a key named "in" work.
class Parser {
 public:
  explicit Parser(std::string_view text) : items_(lex(text)) {}

  Result<std::vector<LabelRequirement>> parse() {
    std::vector<LabelRequirement> requirements;
    while (true) {
      auto [tok, lit] = lookahead();
      switch (tok) {
        case Token::kIdentifier:
        case Token::kNot: {
          auto r = parseRequirement();
          if (!r) {
            return fail(ErrorCode::kInvalidArgument, "unable to parse requirement: {}",
                        r.error().message());
          }
          requirements.push_back(std::move(*r));
          auto [t, l] = consume();
          if (t == Token::kEnd) {
            return requirements;
          }
          if (t != Token::kComma) {
            return fail(ErrorCode::kInvalidArgument, "found '{}', expected: ',' or 'end of string'",
                        l);
          }
          auto [t2, l2] = lookahead();
          if (t2 != Token::kIdentifier && t2 != Token::kNot) {
            return fail(ErrorCode::kInvalidArgument, "found '{}', expected: identifier after ','",
                        l2);
          }
          break;
        }
        case Token::kEnd:
          return requirements;
        default:
          return fail(ErrorCode::kInvalidArgument,
                      "found '{}', expected: !, identifier, or 'end of string'", lit);
      }
    }
  }

 private:
  // Token of the current item; `in`/`notin` read as identifiers unless `asOperator`.
  std::pair<Token, std::string> lookahead(bool asOperator = false) const {
    const Item& item = items_[std::min(position_, items_.size() - 1)];
    Token tok = item.token;
    if (!asOperator && (tok == Token::kIn || tok == Token::kNotIn)) {
      tok = Token::kIdentifier;
    }
    return {tok, item.literal};
  }

  std::pair<Token, std::string> consume(bool asOperator = false) {
    auto result = lookahead(asOperator);
    if (position_ < items_.size() - 1) {
      ++position_;
    }
    return result;
  }

  Result<LabelRequirement> parseRequirement() {
    std::optional<SelectorOperator> op;
    auto [tok, lit] = consume();
    if (tok == Token::kNot) {
      op = SelectorOperator::kDoesNotExist;
      std::tie(tok, lit) = consume();
    }
    if (tok != Token::kIdentifier) {
      return fail(ErrorCode::kInvalidArgument, "found '{}', expected: identifier", lit);
    }
    if (auto errs = isQualifiedName(lit); !errs.empty()) {
      return fail(ErrorCode::kInvalidArgument, "{}", invalid("key", lit, errs));
    }
    std::string key = lit;
    if (auto [next, _] = lookahead(); next == Token::kEnd || next == Token::kComma) {
      return newRequirement(std::move(key), op.value_or(SelectorOperator::kExists), {});
    }
    BERTH_ASSIGN_OR_RETURN(SelectorOperator binary, parseOperator());
    std::vector<std::string> values;
    if (binary == SelectorOperator::kIn || binary == SelectorOperator::kNotIn) {
      BERTH_ASSIGN_OR_RETURN(values, parseValues());
    } else {
      BERTH_ASSIGN_OR_RETURN(values, parseExactValue());
    }
    return newRequirement(std::move(key), binary, std::move(values));
  }

  Result<SelectorOperator> parseOperator() {
    auto [tok, lit] = consume(/*asOperator=*/true);
    switch (tok) {
      case Token::kIn:
        return SelectorOperator::kIn;
      case Token::kNotIn:
        return SelectorOperator::kNotIn;
      case Token::kEquals:
        return SelectorOperator::kEquals;
      case Token::kDoubleEquals:
        return SelectorOperator::kDoubleEquals;
      case Token::kNotEquals:
        return SelectorOperator::kNotEquals;
      case Token::kGreater:
        return SelectorOperator::kGreaterThan;
      case Token::kLess:
        return SelectorOperator::kLessThan;
      default:
        return fail(ErrorCode::kInvalidArgument,
                    "found '{}', expected: in, notin, =, ==, !=, gt, lt", lit);
    }
  }

  // "(a, b)", "()" (one empty value), "(a,,b)" (an empty value among others).
  Result<std::vector<std::string>> parseValues() {
    auto [tok, lit] = consume();
    if (tok != Token::kOpenPar) {
      return fail(ErrorCode::kInvalidArgument, "found '{}' expected: '('", lit);
    }
    std::tie(tok, lit) = lookahead();
    if (tok == Token::kClosePar) {
      consume();
      return std::vector<std::string>{""};
    }
    if (tok != Token::kIdentifier && tok != Token::kComma) {
      return fail(ErrorCode::kInvalidArgument, "found '{}', expected: ',', ')' or identifier", lit);
    }
    std::set<std::string> values;
    while (true) {
      auto [t, l] = consume();
      if (t == Token::kIdentifier) {
        values.insert(l);
        auto [t2, l2] = lookahead();
        if (t2 == Token::kClosePar) {
          break;
        }
        if (t2 != Token::kComma) {
          return fail(ErrorCode::kInvalidArgument, "found '{}', expected: ',' or ')'", l2);
        }
      } else if (t == Token::kComma) {
        // A comma at the start, before ')' or before another comma stands for an empty value.
        auto [t2, _] = lookahead();
        if (values.empty() || t2 == Token::kClosePar || t2 == Token::kComma) {
          values.insert("");
        }
        if (t2 == Token::kClosePar) {
          break;
        }
      } else {
        return fail(ErrorCode::kInvalidArgument, "found '{}', expected: ',', or identifier", l);
      }
    }
    if (auto [t, _] = consume(); t != Token::kClosePar) {
      return fail(ErrorCode::kInvalidArgument, "found '{}', expected: ')'", lit);
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

  Result<std::vector<std::string>> parseExactValue() {
    auto [tok, lit] = lookahead();
    if (tok == Token::kEnd || tok == Token::kComma) {
      return std::vector<std::string>{""};
    }
    consume();
    if (tok == Token::kIdentifier) {
      return std::vector<std::string>{lit};
    }
    return fail(ErrorCode::kInvalidArgument, "found '{}', expected: identifier", lit);
  }

  std::vector<Item> items_;
  size_t position_ = 0;
};

}  // namespace

std::optional<int64_t> parseSelectorInt(std::string_view s) {
  return parseInt(s);
}

Result<LabelRequirement> newLabelRequirement(std::string key, SelectorOperator op,
                                             std::vector<std::string> values) {
  return newRequirement(std::move(key), op, std::move(values));
}

Result<std::vector<LabelRequirement>> parseLabelRequirements(std::string_view text) {
  return Parser(text).parse();
}

}  // namespace berth::api
