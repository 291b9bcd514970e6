#pragma once
// Per-request facts every handler needs the same way: the tenant (X-Tenant-ID, else X-Scope-OrgID, else the
// default tenant) and the bearer token (recorded; enforced once tenancy lands).

#include <string>

#include "strata/base/status.h"
#include "strata/server/http_types.h"

namespace strata::server {

struct RequestContext {
  std::string tenant;
  std::string bearer_token;
  std::shared_ptr<const std::atomic<bool>> client_gone;  // the request's (see HttpRequest::client_gone)

  // For QueryRequest::cancel: null when the server cannot tell.
  const std::atomic<bool>* cancel() const { return client_gone.get(); }
};

// InvalidArgument when the tenant id is malformed: 1-150 characters of [A-Za-z0-9_.-], not starting with '.'.
base::Result<RequestContext> ContextFor(const HttpRequest& request, const std::string& default_tenant);

}  // namespace strata::server
