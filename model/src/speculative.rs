//! Prompt-lookup drafting for speculative decoding: the next tokens are guessed from the sequence
//! itself (the prompt, which holds the open documents, and what was generated so far), with no draft
//! model. The last few tokens are looked up earlier in the sequence, and what followed their most
//! recent occurrence is proposed (as vLLM's n-gram proposer and prompt-lookup decoding do). Code edits
//! and completions repeat their context often (names, argument lists, a line being retyped), so the
//! guesses are often right; the batching worker checks them in one forward pass
//! (`Qwen::forward_verify`) and keeps the tokens the sampler would have chosen anyway.

/// Draft tokens proposed per verify pass when nothing else is set. A pass reads the weights once, as
/// a decode step does, but its matrix products and attention grow with the rows: on Qwen3-0.6B q8_0
/// (1 thread) 4 drafts cost 1.4-1.6 decode steps and 8 cost 2.3-2.5 (benches/RESULTS.md), so 4
/// gains nearly as much when drafts are kept and loses less when they are not.
pub const DEFAULT_DRAFT_TOKENS: usize = 4;

/// The environment variable that overrides [`DEFAULT_DRAFT_TOKENS`] when a model loads (`0` turns
/// speculation off), for benches and for comparing with and without it.
pub const DRAFT_TOKENS_ENV: &str = "QWEN_LSP_DRAFT_TOKENS";

/// The longest n-gram looked up; shorter ones are tried when it is not found, down to one token.
const MAX_NGRAM: usize = 3;

/// How many tokens back the lookup searches: a draft costs a scan of this many positions per step,
/// which stays far below a decode step's cost on the longest prompts.
const SEARCH_WINDOW: usize = 16_384;

/// The draft tokens per pass for a model loading now: [`DRAFT_TOKENS_ENV`] when it holds a number,
/// else [`DEFAULT_DRAFT_TOKENS`].
pub fn draft_tokens_from_env() -> usize {
    std::env::var(DRAFT_TOKENS_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_DRAFT_TOKENS)
}

/// The most drafts a sequence's next verify pass checks, after a pass that kept `kept` of its
/// `drafted` drafts under a limit of `limit`: all kept, two more (up to `max`, the model's setting);
/// any refused, one fewer, down to one. A refused draft costs a verify row for nothing, so a sequence
/// whose text the lookup does not predict drifts to one draft per pass (~1.1 decode steps) rather than
/// paying for `max` (Hugging Face's assisted generation adapts its draft length the same way).
pub fn next_draft_limit(limit: usize, drafted: usize, kept: usize, max: usize) -> usize {
    if kept >= drafted {
        limit.saturating_add(2).min(max)
    } else {
        limit.saturating_sub(1).max(1).min(max)
    }
}

/// Up to `max` tokens that may follow `tokens`: for `n` from 3 down to 1, the most recent earlier
/// occurrence of the last `n` tokens, and the tokens that followed it. Where those run into the end of
/// the sequence, the proposal goes on copying itself (the sequence repeating with the period the match
/// implies, as a run of one token or a loop over a line does). Empty when no suffix occurs earlier or
/// `max` is 0.
pub fn propose(tokens: &[u32], max: usize) -> Vec<u32> {
    let len = tokens.len();
    if max == 0 {
        return Vec::new();
    }
    let floor = len.saturating_sub(SEARCH_WINDOW);
    for n in (1..=MAX_NGRAM.min(len.saturating_sub(1))).rev() {
        let suffix = &tokens[len - n..];
        // Occurrences starting at `start < len - n`, the most recent first; the last token of the
        // suffix is compared first, since most candidates fail there.
        let found = (floor..len - n)
            .rev()
            .find(|&start| tokens[start..start + n] == *suffix);
        if let Some(start) = found {
            let from = start + n;
            let mut out: Vec<u32> = Vec::with_capacity(max);
            for i in from..from + max {
                out.push(if i < len { tokens[i] } else { out[i - len] });
            }
            return out;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_suffix_that_occurs_before_wins() {
        // "1 2 3" occurs once before: its followers are proposed, not those of the later "3".
        let tokens = [1, 2, 3, 4, 5, 9, 3, 7, 8, 1, 2, 3];
        assert_eq!(propose(&tokens, 2), [4, 5]);
        // Without a 3- or 2-gram match, the last single token's most recent occurrence.
        let tokens = [5, 3, 7, 8, 6, 3, 9, 1, 3];
        assert_eq!(propose(&tokens, 3), [9, 1, 3]);
    }

    #[test]
    fn the_most_recent_occurrence_wins() {
        let tokens = [1, 2, 10, 1, 2, 20, 1, 2];
        assert_eq!(propose(&tokens, 1), [20]);
    }

    #[test]
    fn proposals_stop_at_the_end_and_at_max() {
        // A run of one token goes on; so does a loop, with its period.
        assert_eq!(propose(&[7, 7, 7, 7], 5), [7; 5]);
        assert_eq!(propose(&[1, 2, 3, 4, 1, 2], 7), [3, 4, 1, 2, 3, 4, 1]);
        assert_eq!(propose(&[5, 1, 2, 3, 4, 1, 2], 3), [3, 4, 1]);
        assert_eq!(propose(&[1, 2, 3, 4, 1, 2], 0), Vec::<u32>::new());
    }

    #[test]
    fn the_draft_limit_grows_while_drafts_are_kept_and_shrinks_to_one_when_refused() {
        // Refused again and again: down to one draft per pass, never zero.
        let mut limit = 8;
        for _ in 0..10 {
            limit = next_draft_limit(limit, limit, 0, 8);
        }
        assert_eq!(limit, 1);
        // Kept: back up two at a time, capped by the setting.
        assert_eq!(next_draft_limit(1, 1, 1, 8), 3);
        assert_eq!(next_draft_limit(7, 7, 7, 8), 8);
        // A short proposal kept whole counts as kept; one refused draft of several shrinks it.
        assert_eq!(next_draft_limit(4, 2, 2, 8), 6);
        assert_eq!(next_draft_limit(4, 4, 3, 8), 3);
        // The setting lowered meanwhile (or turned off) wins.
        assert_eq!(next_draft_limit(8, 8, 8, 4), 4);
        assert_eq!(next_draft_limit(3, 3, 0, 0), 0);
    }

    #[test]
    fn nothing_is_proposed_without_an_earlier_occurrence() {
        assert!(propose(&[], 8).is_empty());
        assert!(propose(&[1], 8).is_empty());
        assert!(propose(&[1, 2, 3, 4], 8).is_empty());
    }
}
