//! The adversarial corpus: completions that try to pass without solving their problem, each a data file
//! in `evals/tests/attacks/` (header: `# attack:`, `# task:`, `# expect:`; the rest is the completion). Each
//! must get exactly its expected verdict, and none may pass.

use std::path::Path;
use std::time::Duration;

use evals::dataset::{Dataset, load_dataset};
use evals::score::{Sample, ScoreOptions};

use crate::support::{score_all, scorer};

struct Attack {
    name: String,
    task: String,
    expect: String,
    completion: String,
}

fn corpus() -> Vec<Attack> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("attacks");
    let mut attacks = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the corpus directory") {
        let path = entry.expect("a directory entry").path();
        let text = std::fs::read_to_string(&path).expect("an attack file");
        let mut lines = text.splitn(4, '\n');
        let mut field = |key: &str| {
            let line = lines.next().unwrap_or_default();
            line.strip_prefix(key)
                .unwrap_or_else(|| panic!("{}: expected `{key}`, got {line:?}", path.display()))
                .trim()
                .to_owned()
        };
        let _why = field("# attack:");
        let task = field("# task:");
        let expect = field("# expect:");
        attacks.push(Attack {
            name: path
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned(),
            task,
            expect,
            completion: lines.next().unwrap_or_default().to_owned(),
        });
    }
    attacks.sort_by(|a, b| a.name.cmp(&b.name));
    attacks
}

#[tokio::test]
async fn no_attack_in_the_corpus_passes() {
    let attacks = corpus();
    assert!(attacks.len() >= 30, "{} attacks", attacks.len());
    let options = ScoreOptions {
        calibrate: false,
        default_limit: Duration::from_secs(8),
        ..ScoreOptions::default()
    };
    let scorer = scorer(options);
    let mut wrong = Vec::new();
    for name in ["humaneval", "leetcode"] {
        let dataset: Dataset = load_dataset(name).expect("dataset installed");
        let samples: Vec<(usize, Sample)> = attacks
            .iter()
            .enumerate()
            .filter(|(_, a)| dataset.get(&a.task).is_some())
            .map(|(i, a)| {
                let sample = Sample {
                    task_id: a.task.clone(),
                    completion: a.completion.clone(),
                };
                (i, sample)
            })
            .collect();
        for result in score_all(&scorer, &dataset, &samples).await {
            let attack = &attacks[result.sample];
            assert!(!result.passed, "{} passed", attack.name);
            if result.verdict.as_str() != attack.expect {
                wrong.push(format!(
                    "{}: expected {}, got {} ({:?})",
                    attack.name,
                    attack.expect,
                    result.verdict.as_str(),
                    result.detail
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
