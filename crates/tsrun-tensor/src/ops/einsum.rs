//! Tensor contractions: `aten::einsum` and `aten::tensordot`.
//!
//! einsum follows aten's `Linear.cpp`: labels `a-zA-Z` and one `...` per operand, implicit
//! output (the ellipsis dims, then the labels used once, upper case before lower case),
//! repeated labels within an operand take a diagonal, size-1 dims broadcast. Operands are
//! contracted left to right; each pair is one batched matrix product over the labels both
//! share (aten's `sumproduct_pair`), so no broadcast product of all labels is materialised.

use crate::error::{invalid, shape_err};
use crate::ops::diag::diagonal;
use crate::ops::linalg::{bmm, mm};
use crate::ops::reduce::sum;
use crate::ops::shape::{permute, reshape};
use crate::{Result, Tensor};

/// Label ids: `A-Z` are 0-25, `a-z` 26-51, ellipsis dims 52 and up.
const ELL: usize = 52;

fn label_id(c: char) -> Option<usize> {
    match c {
        'A'..='Z' => Some(c as usize - 'A' as usize),
        'a'..='z' => Some(c as usize - 'a' as usize + 26),
        _ => None,
    }
}

fn label_char(id: usize) -> char {
    if id < 26 {
        (b'A' + id as u8) as char
    } else {
        (b'a' + (id - 26) as u8) as char
    }
}

/// One term of the equation: its labels, `None` standing for the ellipsis.
fn parse_term(term: &str) -> Result<Vec<Option<usize>>> {
    let mut out = Vec::new();
    let mut chars = term.chars().peekable();
    let mut seen_ell = false;
    while let Some(c) = chars.next() {
        if c == '.' {
            if seen_ell || chars.next() != Some('.') || chars.next() != Some('.') {
                return Err(invalid(
                    "einsum",
                    "einsum(): found '.' for operand that is not part of any ellipsis",
                ));
            }
            seen_ell = true;
            out.push(None);
        } else if c == ' ' {
            continue;
        } else {
            match label_id(c) {
                Some(id) => out.push(Some(id)),
                None => {
                    return Err(invalid(
                        "einsum",
                        format!(
                            "einsum(): invalid subscript given at index {}: {c}",
                            out.len()
                        ),
                    ))
                }
            }
        }
    }
    Ok(out)
}

/// An operand's dims as label ids (ellipsis expanded to the last `n` of the ellipsis ids).
fn expand_term(
    term: &[Option<usize>],
    ndim: usize,
    ell_dims: usize,
    k: usize,
) -> Result<Vec<usize>> {
    let letters = term.iter().filter(|l| l.is_some()).count();
    let has_ell = term.iter().any(Option::is_none);
    if (!has_ell && letters != ndim) || (has_ell && letters > ndim) {
        return Err(invalid(
            "einsum",
            format!(
                "einsum(): the number of subscripts in the equation ({letters}) {} the number of dimensions ({ndim}) for operand {k}{}",
                if has_ell { "is more than" } else { "does not match" },
                if has_ell { "" } else { " and no ellipsis was given" }
            ),
        ));
    }
    let own_ell = ndim - letters;
    let mut ids = Vec::with_capacity(ndim);
    for l in term {
        match l {
            Some(id) => ids.push(*id),
            None => ids.extend((ell_dims - own_ell..ell_dims).map(|e| ELL + e)),
        }
    }
    Ok(ids)
}

/// `aten::einsum(equation, tensors)` (`path` is only an ordering hint and is ignored).
pub fn einsum(equation: &str, tensors: &[Tensor]) -> Result<Tensor> {
    let (lhs, rhs) = match equation.split_once("->") {
        Some((l, r)) => (l, Some(r)),
        None => (equation, None),
    };
    let terms: Vec<Vec<Option<usize>>> = lhs.split(',').map(parse_term).collect::<Result<_>>()?;
    if terms.len() != tensors.len() {
        return Err(invalid(
            "einsum",
            if terms.len() < tensors.len() {
                "einsum(): more operands were provided than specified in the equation"
            } else {
                "einsum(): fewer operands were provided than was specified in the equation"
            },
        ));
    }
    let ell_dims = terms
        .iter()
        .zip(tensors)
        .filter(|(t, _)| t.iter().any(Option::is_none))
        .map(|(t, x)| {
            x.dim()
                .saturating_sub(t.iter().filter(|l| l.is_some()).count())
        })
        .max()
        .unwrap_or(0);
    let mut ops: Vec<(Tensor, Vec<usize>)> = Vec::with_capacity(tensors.len());
    let mut count = [0usize; ELL];
    for (k, (term, t)) in terms.iter().zip(tensors).enumerate() {
        let ids = expand_term(term, t.dim(), ell_dims, k)?;
        for &id in &ids {
            if id < ELL {
                count[id] += 1;
            }
        }
        ops.push(take_diagonals(t.clone(), ids, k)?);
    }
    let out: Vec<usize> = match rhs {
        Some(r) => {
            let term = parse_term(r)?;
            let mut ids = Vec::new();
            for l in &term {
                match l {
                    Some(id) => {
                        if ids.contains(id) {
                            return Err(invalid(
                                "einsum",
                                format!("einsum(): output subscript {} appears more than once in the output", label_char(*id)),
                            ));
                        }
                        if count[*id] == 0 {
                            return Err(invalid(
                                "einsum",
                                format!("einsum(): output subscript {} does not appear in the equation for any input operand", label_char(*id)),
                            ));
                        }
                        ids.push(*id);
                    }
                    None => ids.extend((0..ell_dims).map(|e| ELL + e)),
                }
            }
            ids
        }
        None => (0..ell_dims)
            .map(|e| ELL + e)
            .chain((0..ELL).filter(|&id| count[id] == 1))
            .collect(),
    };
    // Every label, output labels first: the final result is then a plain reshape.
    let mut all = out.clone();
    for (_, ids) in &ops {
        for &id in ids {
            if !all.contains(&id) {
                all.push(id);
            }
        }
    }
    let mut sizes = vec![1usize; all.len()];
    let mut aligned = Vec::with_capacity(ops.len());
    for (t, ids) in &ops {
        let a = align(t, ids, &all)?;
        for (s, &d) in sizes.iter_mut().zip(a.shape()) {
            if d != 1 {
                if *s != 1 && *s != d {
                    return Err(shape_err(
                        "einsum",
                        "einsum(): operands do not broadcast with remapped shapes (original->remapped)",
                    ));
                }
                *s = d;
            }
        }
        aligned.push(a);
    }
    let mut acc = aligned[0].clone();
    for (k, next) in aligned.iter().enumerate().skip(1) {
        // Contract now the labels neither the output nor a later operand has.
        let later = |p: usize| aligned[k + 1..].iter().any(|t| t.shape()[p] != 1);
        let sum_dims: Vec<usize> = (out.len()..all.len()).filter(|&p| !later(p)).collect();
        acc = sumproduct_pair(&acc, next, &sum_dims)?;
    }
    let rest: Vec<i64> = (out.len()..all.len()).map(|p| p as i64).collect();
    if !rest.is_empty() {
        acc = sum(&acc, Some(&rest), true, None)?;
    }
    let out_shape: Vec<i64> = acc.shape()[..out.len()].iter().map(|&s| s as i64).collect();
    reshape(&acc, &out_shape)
}

/// Takes the diagonal of every label repeated within one operand.
fn take_diagonals(mut t: Tensor, mut ids: Vec<usize>, k: usize) -> Result<(Tensor, Vec<usize>)> {
    loop {
        let dup = (0..ids.len()).find_map(|i| {
            (i + 1..ids.len())
                .find(|&j| ids[j] == ids[i])
                .map(|j| (i, j))
        });
        let Some((i, j)) = dup else {
            return Ok((t, ids));
        };
        if t.shape()[i] != t.shape()[j] {
            return Err(invalid(
                "einsum",
                format!(
                    "einsum(): subscript {} is repeated for operand {k} but the sizes don't match, {} != {}",
                    label_char(ids[i]),
                    t.shape()[i],
                    t.shape()[j]
                ),
            ));
        }
        t = diagonal(&t, 0, i as i64, j as i64)?;
        let id = ids[i];
        ids.remove(j);
        ids.remove(i);
        ids.push(id);
    }
}

/// `t` (dims labelled `ids`) permuted to the order of `all`, with size-1 dims for the
/// labels it lacks.
fn align(t: &Tensor, ids: &[usize], all: &[usize]) -> Result<Tensor> {
    let order: Vec<i64> = all
        .iter()
        .filter_map(|id| ids.iter().position(|x| x == id).map(|p| p as i64))
        .collect();
    let p = permute(t, &order)?;
    let shape: Vec<i64> = all
        .iter()
        .map(|id| {
            ids.iter()
                .position(|x| x == id)
                .map_or(1, |q| t.shape()[q] as i64)
        })
        .collect();
    reshape(&p, &shape)
}

/// Multiplies two aligned operands and sums `sum_dims` (kept as size 1): one `bmm` over
/// the dims both have, as aten's `sumproduct_pair`.
fn sumproduct_pair(a: &Tensor, b: &Tensor, sum_dims: &[usize]) -> Result<Tensor> {
    let n = a.dim();
    let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
    let (mut a, mut b) = (a.clone(), b.clone());
    // A summed dim only one side has is summed on that side first.
    let a_only: Vec<i64> = sum_dims
        .iter()
        .filter(|&&d| sb[d] == 1 && sa[d] != 1)
        .map(|&d| d as i64)
        .collect();
    let b_only: Vec<i64> = sum_dims
        .iter()
        .filter(|&&d| sa[d] == 1 && sb[d] != 1)
        .map(|&d| d as i64)
        .collect();
    if !a_only.is_empty() {
        a = sum(&a, Some(&a_only), true, None)?;
    }
    if !b_only.is_empty() {
        b = sum(&b, Some(&b_only), true, None)?;
    }
    let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
    let (mut batch, mut lo, mut ro, mut contr, mut ones) = (vec![], vec![], vec![], vec![], vec![]);
    for d in 0..n {
        let summed = sum_dims.contains(&d);
        match (sa[d] != 1, sb[d] != 1) {
            (true, true) if summed => contr.push(d),
            (true, true) => batch.push(d),
            (true, false) => lo.push(d),
            (false, true) => ro.push(d),
            (false, false) => ones.push(d),
        }
    }
    let prod = |s: &[usize], ds: &[usize]| ds.iter().map(|&d| s[d]).product::<usize>() as i64;
    let (nb, nl, nr, nc) = (
        prod(&sa, &batch),
        prod(&sa, &lo),
        prod(&sb, &ro),
        prod(&sa, &contr),
    );
    let cat = |parts: &[&[usize]]| -> Vec<i64> {
        parts
            .iter()
            .flat_map(|p| p.iter().map(|&d| d as i64))
            .collect()
    };
    let left = reshape(
        &permute(&a, &cat(&[&batch, &lo, &contr, &ro, &ones]))?,
        &[nb, nl, nc],
    )?;
    let right = reshape(
        &permute(&b, &cat(&[&batch, &contr, &ro, &lo, &ones]))?,
        &[nb, nc, nr],
    )?;
    let r = bmm(&left, &right)?;
    // Back to the aligned order: batch, lo, ro keep their sizes, everything else is 1.
    let order = cat(&[&batch, &lo, &ro, &contr, &ones]);
    let mut shape = vec![0i64; n];
    for (p, &d) in order.iter().enumerate() {
        let d = d as usize;
        shape[p] = if batch.contains(&d) || lo.contains(&d) {
            sa[d] as i64
        } else if ro.contains(&d) {
            sb[d] as i64
        } else {
            1
        };
    }
    let r = reshape(&r, &shape)?;
    let mut inverse = vec![0i64; n];
    for (p, &d) in order.iter().enumerate() {
        inverse[d as usize] = p as i64;
    }
    permute(&r, &inverse)
}

/// `aten::tensordot(self, other, dims_self, dims_other)`: contracts the listed dims
/// pairwise with one matrix product.
pub fn tensordot(a: &Tensor, b: &Tensor, dims_a: &[i64], dims_b: &[i64]) -> Result<Tensor> {
    if dims_a.len() != dims_b.len() {
        return Err(invalid(
            "tensordot",
            "both dimension lists should have same length",
        ));
    }
    let wrap = |d: i64, n: usize| crate::layout::wrap_dim("tensordot", d, n);
    let da: Vec<usize> = dims_a
        .iter()
        .map(|&d| wrap(d, a.dim()))
        .collect::<Result<_>>()?;
    let db: Vec<usize> = dims_b
        .iter()
        .map(|&d| wrap(d, b.dim()))
        .collect::<Result<_>>()?;
    for (&x, &y) in da.iter().zip(&db) {
        if a.shape()[x] != b.shape()[y] {
            return Err(shape_err(
                "tensordot",
                format!(
                    "contracted dimensions need to match, but first has size {} in dim {x} and second has size {} in dim {y}",
                    a.shape()[x],
                    b.shape()[y]
                ),
            ));
        }
    }
    let free_a: Vec<usize> = (0..a.dim()).filter(|d| !da.contains(d)).collect();
    let free_b: Vec<usize> = (0..b.dim()).filter(|d| !db.contains(d)).collect();
    let k: i64 = da.iter().map(|&d| a.shape()[d] as i64).product();
    let m: i64 = free_a.iter().map(|&d| a.shape()[d] as i64).product();
    let n: i64 = free_b.iter().map(|&d| b.shape()[d] as i64).product();
    let pa: Vec<i64> = free_a.iter().chain(&da).map(|&d| d as i64).collect();
    let pb: Vec<i64> = db.iter().chain(&free_b).map(|&d| d as i64).collect();
    let left = reshape(&permute(a, &pa)?, &[m, k])?;
    let right = reshape(&permute(b, &pb)?, &[k, n])?;
    let r = mm(&left, &right)?;
    let shape: Vec<i64> = free_a
        .iter()
        .map(|&d| a.shape()[d] as i64)
        .chain(free_b.iter().map(|&d| b.shape()[d] as i64))
        .collect();
    reshape(&r, &shape)
}
