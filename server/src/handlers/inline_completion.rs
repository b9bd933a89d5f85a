//! `textDocument/inlineCompletion` (LSP 3.18): the completion at the cursor as ghost text. While the
//! editor's suggest widget is open it sends the selected item (`context.selectedCompletionInfo`); the
//! answer then extends that item, replacing the same range, or VS Code would not show it. An
//! `Automatic` request (typing) that typed through the suggestion shown gets the rest of it at once; an
//! `Invoked` one (the user asked) always gets the model's answer.

use std::sync::Arc;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    InlineCompletionParams, InlineCompletionResponse, InlineCompletionTriggerKind,
};

use super::Selected;
use crate::convert;
use crate::session::Session;

pub async fn handle(
    session: &Arc<Session>,
    params: InlineCompletionParams,
) -> jsonrpc::Result<Option<InlineCompletionResponse>> {
    let position = params.text_document_position;
    let selected = params
        .context
        .selected_completion_info
        .map(|info| Selected {
            range: info.range,
            text: info.text,
        });
    let invoked = params.context.trigger_kind == InlineCompletionTriggerKind::INVOKED;
    let Some(done) = super::complete_after(
        session,
        &position.text_document.uri,
        position.position,
        selected,
        invoked,
    )
    .await?
    else {
        return Ok(Some(InlineCompletionResponse::Array(Vec::new())));
    };
    let mut item = convert::inline_completion_item(
        done.snapshot.document.text(),
        done.cursor,
        &done.completion,
        done.snapshot.encoding,
    );
    item.range = item.range.map(|range| done.in_document(range));
    Ok(Some(InlineCompletionResponse::Array(vec![item])))
}
