// Posting work to the Worker's event loop: the executor behind sync::SessionOptions::post.
#pragma once

#include <functional>

namespace crsync::web {

// Runs task later (a macrotask of the Worker), never inside the call.
void Post(std::function<void()> task);

}  // namespace crsync::web
