#ifndef PLATFORM_CLIBYAML_SHIM_H
#define PLATFORM_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
