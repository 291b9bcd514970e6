#include "strata/query/pipeline/stage.h"

namespace strata::query {

base::Result<StagePtr> CompileStage(const query::Stage& stage) {
  struct Visitor {
    base::Result<StagePtr> operator()(const LineFilterStage& s) { return MakeLineFilterStage(s); }
    base::Result<StagePtr> operator()(const ParserStage& s) {
      switch (s.kind) {
        case ParserKind::kJson: return MakeJsonParserStage(s);
        case ParserKind::kLogfmt: return MakeLogfmtParserStage(s);
        case ParserKind::kRegexp: return MakeRegexpParserStage(s);
        case ParserKind::kPattern: return MakePatternParserStage(s);
        case ParserKind::kUnpack: return MakeUnpackStage();
      }
      return base::InvalidArgument("unknown parser");
    }
    base::Result<StagePtr> operator()(const LabelFilterStage& s) { return MakeLabelFilterStage(s.filter); }
    base::Result<StagePtr> operator()(const LineFormatStage& s) { return MakeLineFormatStage(s); }
    base::Result<StagePtr> operator()(const LabelFormatStage& s) { return MakeLabelFormatStage(s); }
    base::Result<StagePtr> operator()(const DecolorizeStage&) { return MakeDecolorizeStage(); }
    base::Result<StagePtr> operator()(const DropStage& s) { return MakeDropStage(s); }
    base::Result<StagePtr> operator()(const KeepStage& s) { return MakeKeepStage(s); }
    base::Result<StagePtr> operator()(const BoolFilterStage& s) { return MakeBoolFilterStage(s); }
  };
  return std::visit(Visitor{}, stage);
}

}  // namespace strata::query
