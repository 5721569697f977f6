/*
 * The request context of kvscope's Node.js agent without async hooks (lib/context.js): get and set V8's
 * "continuation-preserved embedder data" (CPED), a slot of the JavaScript context that V8 itself saves when a
 * promise reaction is registered (`await`, `.then`) and restores while that reaction runs — what Node 22's
 * AsyncContextFrame is built on. Node 20 does not use the slot, so the agent can: the span it puts there when a
 * request's handler starts follows every `await` of that handler at no cost to the promises themselves.
 *
 * Why not AsyncLocalStorage: on Node 20 it enables async and promise hooks, which every promise then pays for
 * (a JavaScript call at its creation and around each reaction) and which make V8 deoptimise the hot promise paths
 * when a session turns them on: the gateway of examples/microservices lost 23-25 % of its requests/s while
 * recording (bench/agent-overhead), most of it from the hooks.
 *
 * This needs V8's C++ API (node.h), not N-API: a separate addon from nodejs_tp.node, tied to the Node.js it was
 * built for (build.sh builds both against the installed headers). agent.js falls back to AsyncLocalStorage when it
 * cannot load, and on Node 22 or later (whose AsyncContextFrame owns the slot).
 */
#include <node.h>
#include <v8.h>

namespace {

/* get(): the current slot value (undefined when none). */
void GetFrame(const v8::FunctionCallbackInfo<v8::Value> &info) {
    info.GetReturnValue().Set(info.GetIsolate()->GetCurrentContext()->GetContinuationPreservedEmbedderData());
}

/* set(value): sets the slot; returns what it held, so that a caller can put it back (one call instead of two). */
void SetFrame(const v8::FunctionCallbackInfo<v8::Value> &info) {
    v8::Local<v8::Context> context = info.GetIsolate()->GetCurrentContext();
    info.GetReturnValue().Set(context->GetContinuationPreservedEmbedderData());
    context->SetContinuationPreservedEmbedderData(info.Length() > 0 ? info[0]
                                                                    : v8::Undefined(info.GetIsolate()).As<v8::Value>());
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
    NODE_SET_METHOD(exports, "get", GetFrame);
    NODE_SET_METHOD(exports, "set", SetFrame);
}
