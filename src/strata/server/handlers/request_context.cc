#include "strata/server/handlers/request_context.h"

namespace strata::server {

base::Result<RequestContext> ContextFor(const HttpRequest& request, const std::string& default_tenant) {
  RequestContext ctx;
  ctx.client_gone = request.client_gone;
  std::string_view tenant = request.Header("X-Tenant-ID");
  if (tenant.empty()) tenant = request.Header("X-Scope-OrgID");
  ctx.tenant = tenant.empty() ? default_tenant : std::string(tenant);
  // Tenant ids become directory names: keep them to a safe alphabet.
  // A leading '.' is reserved for the engine's own directories (<data>/.wal).
  bool ok = !ctx.tenant.empty() && ctx.tenant.size() <= 150 && ctx.tenant[0] != '.';
  for (char c : ctx.tenant) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) ok = false;
  }
  if (!ok) {
    return base::InvalidArgument("invalid tenant id \"" + ctx.tenant +
                                 "\": use 1-150 characters of letters, digits, '_', '-' and '.', not starting with '.'");
  }
  std::string_view auth = request.Header("Authorization");
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    ctx.bearer_token = std::string(auth.substr(7));
  }
  return ctx;
}

}  // namespace strata::server
