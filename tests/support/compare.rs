//! Comparing a result's leaves with the expected arrays of a fixture.

use tsrun_cli::array::{ArrayData, NdArray};

/// Every way `got` differs from `want`, one message per problem (empty when they match).
///
/// Floats must satisfy `|got - want| <= atol + rtol * |want|` elementwise, with NaN matching
/// NaN and infinities matching exactly; integers, bools and strings must be equal. dtype and
/// shape must always be equal.
pub fn compare_leaves(got: &[NdArray], want: &[NdArray], atol: f64, rtol: f64) -> Vec<String> {
    let mut problems = Vec::new();
    if got.len() != want.len() {
        problems.push(format!(
            "{} leaves, expected {} (got {}, expected {})",
            got.len(),
            want.len(),
            describe(got),
            describe(want)
        ));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if let Some(problem) = compare_leaf(g, w, atol, rtol) {
            problems.push(format!("leaf {i}: {problem}"));
        }
    }
    problems
}

/// `dtype[shape]` for each leaf, for messages.
pub fn describe(leaves: &[NdArray]) -> String {
    let parts: Vec<String> = leaves
        .iter()
        .map(|a| format!("{}{:?}", a.data.dtype_name(), a.shape))
        .collect();
    format!("[{}]", parts.join(", "))
}

fn compare_leaf(got: &NdArray, want: &NdArray, atol: f64, rtol: f64) -> Option<String> {
    if got.data.dtype_name() != want.data.dtype_name() {
        return Some(format!(
            "dtype {}, expected {}",
            got.data.dtype_name(),
            want.data.dtype_name()
        ));
    }
    if got.shape != want.shape {
        return Some(format!("shape {:?}, expected {:?}", got.shape, want.shape));
    }
    if let (ArrayData::Str(g), ArrayData::Str(w)) = (&got.data, &want.data) {
        return (g != w).then(|| format!("strings {g:?}, expected {w:?}"));
    }
    if let (Some(g), Some(w)) = (got.data.as_i64(), want.data.as_i64()) {
        // Exact, without going through f64 (which loses integers beyond 2^53).
        let bad = g.iter().zip(w).position(|(a, b)| a != b)?;
        return Some(format!(
            "int64 values differ first at flat index {bad}: {} vs expected {}",
            g[bad], w[bad]
        ));
    }
    let (Some(g), Some(w)) = (got.data.to_f64(), want.data.to_f64()) else {
        return Some("cannot compare these dtypes".to_string());
    };
    let (atol, rtol) = if got.data.is_float() {
        (atol, rtol)
    } else {
        (0.0, 0.0) // ints and bools: exact
    };
    let mut bad = 0usize;
    let mut first_bad = None;
    let mut max_diff = 0.0f64;
    for (k, (&a, &b)) in g.iter().zip(&w).enumerate() {
        let same_special = (a.is_nan() && b.is_nan()) || (a.is_infinite() && a == b);
        let diff = (a - b).abs();
        let ok = same_special || diff <= atol + rtol * b.abs();
        if !same_special {
            // A NaN against a number is as far off as it gets.
            max_diff = max_diff.max(if diff.is_nan() { f64::INFINITY } else { diff });
        }
        if !ok {
            bad += 1;
            first_bad.get_or_insert((k, a, b));
        }
    }
    let (k, a, b) = first_bad?;
    Some(format!(
        "{bad} of {} {} values differ; max abs diff {max_diff:.3e} (atol {atol:e}, rtol {rtol:e}); first at flat index {k}: {a} vs expected {b}",
        g.len(),
        got.data.dtype_name()
    ))
}
