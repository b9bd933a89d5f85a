//! tree-sitter parsing for the languages the engine understands.

use crate::Language;

/// The tree-sitter grammar of `language`, if it has one.
pub fn grammar(language: Language) -> Option<tree_sitter::Language> {
    match language {
        Language::Python => Some(tree_sitter_python::LANGUAGE.into()),
        Language::Java => Some(tree_sitter_java::LANGUAGE.into()),
        Language::Other => None,
    }
}

/// Parses `text`, reusing `old` (already `edit`ed) for an incremental re-parse.
pub fn parse(language: Language, text: &str, old: Option<&tree_sitter::Tree>) -> Option<tree_sitter::Tree> {
    let grammar = grammar(language)?;
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar).ok()?;
    parser.parse(text, old)
}
