#pragma once
// GoTemplate: the subset of Go's text/template (with Loki's helper functions) that LogQL's `line_format` and
// `label_format` use: `{{.label}}`, `{{ .a | ToUpper }}`, pipelines, `if/else if/else/end`, `range`-free
// control flow, `with`, variables, comparison functions and the Sprig-like helpers Loki documents.
//
// Compile once per query (InvalidArgument with a message naming the position on a syntax error or an unknown
// function); Execute per line. Execute errors (a function failing, e.g. a bad regex or a division by zero) are
// returned as a Status; the pipeline then keeps the line and sets `__error__=TemplateFormatErr`.
// A label that does not exist renders as "" (Loki executes with missingkey=zero).
//
// Thread-safety: a compiled GoTemplate is immutable; Execute may run concurrently. Copies share the compiled tree.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "strata/base/status.h"

namespace strata::query {

// What a template sees: labels by name (`.name`), the line (`__line__`, `line`), the entry's timestamp
// (`__timestamp__`, a time value usable with `date`/`unixEpoch`...).
struct TemplateInput {
  std::function<std::optional<std::string_view>(std::string_view name)> label;
  std::string_view line;
  int64_t timestamp_ns = 0;
};

class GoTemplate {
 public:
  static base::Result<GoTemplate> Compile(std::string_view source);

  base::Result<std::string> Execute(const TemplateInput& input) const;

  // True when the template is plain text with no actions (then Execute returns the text itself).
  bool IsConstant() const;

  struct Node;  // the compiled tree (go_template.cc)

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace strata::query
