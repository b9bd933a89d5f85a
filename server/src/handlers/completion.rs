//! `textDocument/completion`: the inline completion as one classic completion item, for clients that
//! lack inline completion.

use std::sync::Arc;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{
    CompletionList, CompletionParams, CompletionResponse, CompletionTextEdit,
};

use crate::convert;
use crate::session::Session;

pub async fn handle(
    session: &Arc<Session>,
    params: CompletionParams,
) -> jsonrpc::Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let done = super::complete_at(session, &position.text_document.uri, position.position).await?;
    let items = done
        .map(|done| {
            let mut item = convert::completion_item(
                done.snapshot.document.text(),
                done.cursor,
                &done.completion,
                done.snapshot.encoding,
            );
            if let Some(CompletionTextEdit::Edit(edit)) = &mut item.text_edit {
                edit.range = done.in_document(edit.range);
            }
            item
        })
        .into_iter()
        .collect();
    // Incomplete: the client asks again as the user types instead of filtering a stale suggestion.
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: true,
        items,
    })))
}
