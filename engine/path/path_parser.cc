// JSONPath text -> AST. Grammar (Jayway JsonPath, as Step Functions uses it):
//   path     := root segment*
//   root     := "$" | "$$" | "$" name          (input, context, variable)
//   segment  := "." name | ".*" | ".." (name | "*" | bracket) | bracket
//   bracket  := "[" ( "*" | quoted ("," quoted)* | int ("," int)*
//                    | [int] ":" [int] [":" int] | "?(" filter ")" ) "]"
//   filter   := or;  or := and ("||" and)*;  and := unary ("&&" unary)*
//   unary    := "!" unary | "(" or ")" | operand [op operand]
//   operand  := "@" rel-segments | "$" rel-segments | 'str' | "str" | number
//               | true | false | null
// Path functions (".length()", ".keys()", ...) are rejected: Step Functions
// refuses them in JSONPath mode.
#include "engine/path/internal/path_parser.h"

#include <cctype>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

namespace mlflowctl::path::internal {

bool IsDefinite(const std::vector<Segment>& segments) {
  for (const Segment& s : segments) {
    if (s.deep) return false;
    if (s.kind != Segment::Kind::kName && s.kind != Segment::Kind::kIndex) {
      return false;
    }
  }
  return true;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<ParsedPath> ParseAll() {
    ParsedPath out;
    if (!Consume('$')) return Fail("a path must start with '$'", 0);
    if (Consume('$')) {
      out.root = ParsedPath::Root::kContext;
    } else if (pos_ < text_.size() && IsNameStart(text_[pos_])) {
      out.root = ParsedPath::Root::kVariable;
      size_t start = pos_;
      while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
      out.variable = std::string(text_.substr(start, pos_ - start));
    }
    Status st = ParseSegments(&out.segments, /*in_filter=*/false);
    if (!st.ok()) return st;
    if (pos_ != text_.size()) return Fail("unexpected character", pos_);
    return out;
  }

 private:
  static bool IsNameStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
  }
  static bool IsNameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  }

  Status Fail(std::string_view what, size_t at) const {
    return InvalidArgumentError(fmt::format("invalid JSONPath '{}': {} at {}",
                                            text_, what, at + 1));
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  // In a filter a segment list stops at an operator or ')'.
  bool AtSegmentStart() const {
    return pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == '[');
  }

  Status ParseSegments(std::vector<Segment>* segments, bool in_filter) {
    while (AtSegmentStart()) {
      Segment seg;
      size_t at = pos_;
      if (Consume('.')) {
        if (Consume('.')) {
          seg.deep = true;
          if (pos_ < text_.size() && text_[pos_] == '[') {
            Status st = ParseBracket(&seg);
            if (!st.ok()) return st;
            segments->push_back(std::move(seg));
            continue;
          }
        }
        if (Consume('*')) {
          seg.kind = Segment::Kind::kWildcard;
        } else {
          Status st = ParseDotName(&seg, in_filter, at);
          if (!st.ok()) return st;
        }
      } else {
        Status st = ParseBracket(&seg);
        if (!st.ok()) return st;
      }
      segments->push_back(std::move(seg));
    }
    return Status::Ok();
  }

  Status ParseDotName(Segment* seg, bool in_filter, size_t at) {
    size_t start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '.' || c == '[') break;
      if (in_filter && (c == ' ' || c == ')' || c == '=' || c == '!' ||
                        c == '<' || c == '>' || c == '&' || c == '|')) {
        break;
      }
      if (c == '(') return Fail("path functions are not supported", pos_);
      ++pos_;
    }
    if (pos_ == start) return Fail("empty property name", at);
    seg->kind = Segment::Kind::kName;
    seg->names.emplace_back(text_.substr(start, pos_ - start));
    return Status::Ok();
  }

  StatusOr<std::string> ParseQuoted() {
    char quote = text_[pos_];
    size_t at = pos_++;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out.push_back(text_[pos_++]);
    }
    if (!Consume(quote)) return Fail("unterminated string", at);
    return out;
  }

  StatusOr<int64_t> ParseInt() {
    size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    size_t digits = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (pos_ == digits) return Fail("expected an integer", start);
    return std::strtoll(std::string(text_.substr(start, pos_ - start)).c_str(), nullptr, 10);
  }

  bool AtInt() const {
    return pos_ < text_.size() &&
           (text_[pos_] == '-' || std::isdigit(static_cast<unsigned char>(text_[pos_])));
  }

  Status ParseBracket(Segment* seg) {
    size_t open = pos_;
    Consume('[');
    SkipSpaces();
    if (pos_ >= text_.size()) return Fail("unterminated '['", open);
    char c = text_[pos_];
    if (c == '*') {
      ++pos_;
      seg->kind = Segment::Kind::kWildcard;
    } else if (c == '\'' || c == '"') {
      while (true) {
        auto name = ParseQuoted();
        if (!name.ok()) return name.status();
        seg->names.push_back(std::move(*name));
        SkipSpaces();
        if (!Consume(',')) break;
        SkipSpaces();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
          return Fail("expected a quoted name", pos_);
        }
      }
      seg->kind = seg->names.size() == 1 ? Segment::Kind::kName : Segment::Kind::kNames;
    } else if (c == '?') {
      ++pos_;
      if (!Consume('(')) return Fail("expected '(' after '?'", pos_);
      auto expr = ParseOr();
      if (!expr.ok()) return expr.status();
      SkipSpaces();
      if (!Consume(')')) return Fail("expected ')' closing the filter", pos_);
      seg->kind = Segment::Kind::kFilter;
      seg->filter = std::move(*expr);
    } else if (AtInt() || c == ':') {
      Status st = ParseIndexOrSlice(seg);
      if (!st.ok()) return st;
    } else {
      return Fail("unexpected character in '[...]'", pos_);
    }
    SkipSpaces();
    if (!Consume(']')) {
      return pos_ >= text_.size() ? Fail("unterminated '['", open)
                                  : Fail("expected ']'", pos_);
    }
    return Status::Ok();
  }

  Status ParseIndexOrSlice(Segment* seg) {
    std::optional<int64_t> first;
    if (AtInt()) {
      auto v = ParseInt();
      if (!v.ok()) return v.status();
      first = *v;
    }
    SkipSpaces();
    if (Consume(':')) {
      seg->kind = Segment::Kind::kSlice;
      seg->slice_start = first;
      SkipSpaces();
      if (AtInt()) {
        auto v = ParseInt();
        if (!v.ok()) return v.status();
        seg->slice_end = *v;
      }
      SkipSpaces();
      if (Consume(':')) {
        SkipSpaces();
        auto v = ParseInt();
        if (!v.ok()) return v.status();
        if (*v <= 0) return Fail("slice step must be positive", pos_);
        seg->slice_step = *v;
      }
      return Status::Ok();
    }
    seg->indexes.push_back(*first);
    while (true) {
      SkipSpaces();
      if (!Consume(',')) break;
      SkipSpaces();
      auto v = ParseInt();
      if (!v.ok()) return v.status();
      seg->indexes.push_back(*v);
    }
    seg->kind = seg->indexes.size() == 1 ? Segment::Kind::kIndex : Segment::Kind::kIndexes;
    return Status::Ok();
  }

  using ExprPtr = std::shared_ptr<const FilterExpr>;

  StatusOr<ExprPtr> ParseOr() {
    auto left = ParseAnd();
    if (!left.ok()) return left;
    auto node = std::make_shared<FilterExpr>();
    node->kind = FilterExpr::Kind::kOr;
    node->children.push_back(*left);
    while (true) {
      SkipSpaces();
      if (text_.substr(pos_, 2) != "||") break;
      pos_ += 2;
      auto right = ParseAnd();
      if (!right.ok()) return right;
      node->children.push_back(*right);
    }
    if (node->children.size() == 1) return node->children[0];
    return ExprPtr(node);
  }

  StatusOr<ExprPtr> ParseAnd() {
    auto left = ParseUnary();
    if (!left.ok()) return left;
    auto node = std::make_shared<FilterExpr>();
    node->kind = FilterExpr::Kind::kAnd;
    node->children.push_back(*left);
    while (true) {
      SkipSpaces();
      if (text_.substr(pos_, 2) != "&&") break;
      pos_ += 2;
      auto right = ParseUnary();
      if (!right.ok()) return right;
      node->children.push_back(*right);
    }
    if (node->children.size() == 1) return node->children[0];
    return ExprPtr(node);
  }

  StatusOr<ExprPtr> ParseUnary() {
    // Filters nest through "!", "(" and filters inside operands, and every
    // level passes here; parsing, evaluating and freeing a filter recurse
    // once per level, so the depth is bounded to keep the stack safe.
    DepthGuard guard(depth_);
    if (depth_ > kMaxFilterDepth) {
      return Fail(fmt::format("filter nested deeper than {} levels", kMaxFilterDepth), pos_);
    }
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == '!' && text_.substr(pos_, 2) != "!=") {
      ++pos_;
      auto inner = ParseUnary();
      if (!inner.ok()) return inner;
      auto node = std::make_shared<FilterExpr>();
      node->kind = FilterExpr::Kind::kNot;
      node->children.push_back(*inner);
      return ExprPtr(node);
    }
    if (Consume('(')) {
      auto inner = ParseOr();
      if (!inner.ok()) return inner;
      SkipSpaces();
      if (!Consume(')')) return Fail("expected ')'", pos_);
      return inner;
    }
    auto node = std::make_shared<FilterExpr>();
    Status st = ParseOperand(&node->lhs);
    if (!st.ok()) return st;
    SkipSpaces();
    static constexpr std::pair<const char*, FilterExpr::Op> kOps[] = {
        {"==", FilterExpr::Op::kEq}, {"!=", FilterExpr::Op::kNe},
        {"<=", FilterExpr::Op::kLe}, {">=", FilterExpr::Op::kGe},
        {"<", FilterExpr::Op::kLt},  {">", FilterExpr::Op::kGt}};
    for (const auto& [token, op] : kOps) {
      std::string_view tok(token);
      if (text_.substr(pos_, tok.size()) == tok) {
        pos_ += tok.size();
        node->kind = FilterExpr::Kind::kCompare;
        node->op = op;
        st = ParseOperand(&node->rhs);
        if (!st.ok()) return st;
        return ExprPtr(node);
      }
    }
    if (text_.substr(pos_, 2) == "=~") return Fail("regular expressions are not supported", pos_);
    if (!node->lhs.is_path) return Fail("expected a comparison operator", pos_);
    node->kind = FilterExpr::Kind::kExists;
    return ExprPtr(node);
  }

  Status ParseOperand(FilterExpr::Operand* operand) {
    SkipSpaces();
    if (pos_ >= text_.size()) return Fail("unterminated filter", pos_);
    char c = text_[pos_];
    if (c == '@' || c == '$') {
      ++pos_;
      operand->is_path = true;
      operand->path.from_root = (c == '$');
      return ParseSegments(&operand->path.segments, /*in_filter=*/true);
    }
    if (c == '\'' || c == '"') {
      auto s = ParseQuoted();
      if (!s.ok()) return s.status();
      operand->literal = std::move(*s);
      return Status::Ok();
    }
    for (const char* word : {"true", "false", "null"}) {
      std::string_view w(word);
      if (text_.substr(pos_, w.size()) == w) {
        pos_ += w.size();
        operand->literal = w == "true" ? Json(true) : w == "false" ? Json(false) : Json(nullptr);
        return Status::Ok();
      }
    }
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '-' ||
            text_[pos_] == '+' || text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
    }
    if (pos_ == start) return Fail("expected a value in filter", start);
    StatusOr<Json> number = ParseJson(text_.substr(start, pos_ - start));
    if (!number.ok() || !number->is_number()) return Fail("invalid number", start);
    operand->literal = std::move(*number);
    return Status::Ok();
  }

  static constexpr int kMaxFilterDepth = 100;
  struct DepthGuard {
    explicit DepthGuard(int& depth) : level(++depth) {}
    ~DepthGuard() { --level; }
    int& level;
  };

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;  // ParseUnary calls in progress
};

}  // namespace

StatusOr<ParsedPath> ParsePathText(std::string_view text) {
  return Parser(text).ParseAll();
}

}  // namespace mlflowctl::path::internal
