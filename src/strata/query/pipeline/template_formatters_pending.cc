// TEMPORARY: stands in for template_formatters.cc until strata_query_template exists (see CMakeLists.txt).
#include "strata/query/pipeline/stage.h"

namespace strata::query {

base::Result<StagePtr> MakeLineFormatStage(const LineFormatStage&) {
  return base::InvalidArgument("line_format: the template engine is not built yet");
}
base::Result<StagePtr> MakeLabelFormatStage(const LabelFormatStage&) {
  return base::InvalidArgument("label_format: the template engine is not built yet");
}

}  // namespace strata::query
