# Writes the version header with the current git revision; run at every build (target strata_version), so a binary
# never reports the revision CMake happened to see when it configured. configure_file leaves the file untouched when
# its content is unchanged, so nothing recompiles until the revision moves.
# Inputs: -DSOURCE_DIR=<repo> -DTEMPLATE=<version.h.in> -DOUTPUT=<version.h> -DPROJECT_VERSION=<x.y.z>
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE STRATA_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT STRATA_GIT_REVISION)
  set(STRATA_GIT_REVISION "unknown")
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
