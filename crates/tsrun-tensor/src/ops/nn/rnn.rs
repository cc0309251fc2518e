//! Recurrent layers and cells: `aten::lstm`, `gru`, `rnn_tanh`, `rnn_relu`
//! (the `.input` overloads: stacked, bidirectional, batch_first) and
//! `lstm_cell`, `gru_cell`, `rnn_tanh_cell`, `rnn_relu_cell`.
//!
//! Each layer first multiplies the whole input sequence by `W_ih` in one GEMM,
//! then steps through time with one `h @ W_hh^T` product per step. Gates are
//! computed in the layer's dtype with the same operation order as aten's cells
//! (float32 sigmoid/tanh vectorised, see `vmath`). Gate order follows
//! aten: LSTM `i, f, g, o`; GRU `r, z, n`.

use super::{compute_dtype, dense, elems, same_dtype, with_real, Real};
use crate::error::{invalid, shape_err};
use crate::ops::shape::transpose;
use crate::{Result, Tensor};

/// Which recurrence a layer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RnnKind {
    /// Long short-term memory (4 gates, cell state).
    Lstm,
    /// Gated recurrent unit (3 gates).
    Gru,
    /// Elman RNN with tanh.
    Tanh,
    /// Elman RNN with relu.
    Relu,
}

impl RnnKind {
    fn gates(self) -> usize {
        match self {
            RnnKind::Lstm => 4,
            RnnKind::Gru => 3,
            RnnKind::Tanh | RnnKind::Relu => 1,
        }
    }
    fn name(self) -> &'static str {
        match self {
            RnnKind::Lstm => "lstm",
            RnnKind::Gru => "gru",
            RnnKind::Tanh => "rnn_tanh",
            RnnKind::Relu => "rnn_relu",
        }
    }
}

/// Options shared by the sequence ops.
#[derive(Clone, Copy, Debug)]
pub struct RnnOptions {
    /// Whether `params` hold biases (`b_ih`, `b_hh` after each weight pair).
    pub has_biases: bool,
    /// Number of stacked layers.
    pub num_layers: usize,
    /// Dropout between layers (must be 0 or `train` false).
    pub dropout: f64,
    /// Training mode (only `false` is supported unless dropout is 0).
    pub train: bool,
    /// Two directions per layer, outputs concatenated.
    pub bidirectional: bool,
    /// Input and output are `[batch, time, feature]`.
    pub batch_first: bool,
}

/// Below this batch size the recurrent product is done as dot products instead of a GEMM.
const SMALL_BATCH: usize = 4;

/// Weights of one (layer, direction), as dense slices in compute dtype.
struct Weights<'a, T> {
    w_ih: &'a [T],
    w_hh: &'a [T],
    b_ih: Option<&'a [T]>,
    b_hh: Option<&'a [T]>,
}

/// Runs one direction of one layer over `x` (`[steps, batch, feat]`, dense),
/// writing `h` at `out[(t*batch + b)*ostride + ooff ..][..hid]`; updates `h`/`c` in place.
#[allow(clippy::too_many_arguments)]
fn run_dir<T: Real>(
    kind: RnnKind,
    x: &[T],
    [steps, batch, feat, hid]: [usize; 4],
    w: &Weights<'_, T>,
    h: &mut [T],
    c: &mut [T],
    reverse: bool,
    out: &mut [T],
    ostride: usize,
    ooff: usize,
) {
    let g = kind.gates() * hid;
    // xg[t*batch + b] = x @ W_ih^T + b_ih for every step at once.
    let mut xg = vec![T::of(0.0); steps * batch * g];
    if let Some(b) = w.b_ih {
        for row in xg.chunks_mut(g) {
            row.copy_from_slice(b);
        }
    }
    let beta = T::of(if w.b_ih.is_some() { 1.0 } else { 0.0 });
    T::gemm(
        steps * batch,
        feat,
        g,
        (x, feat, 1),
        (w.w_ih, 1, feat),
        beta,
        &mut xg,
        g,
    );
    let mut hg = vec![T::of(0.0); batch * g];
    for s in 0..steps {
        let t = if reverse { steps - 1 - s } else { s };
        match w.b_hh {
            Some(b) => hg.chunks_mut(g).for_each(|row| row.copy_from_slice(b)),
            None => hg.fill(T::of(0.0)),
        }
        if batch < SMALL_BATCH {
            // A GEMM would re-pack all of W_hh every step for one or two rows of output;
            // dot products read W_hh's rows in place.
            for (b, hrow) in hg.chunks_mut(g).enumerate() {
                T::matvec_add(w.w_hh, hid, &h[b * hid..][..hid], hrow);
            }
        } else {
            let beta = T::of(if w.b_hh.is_some() { 1.0 } else { 0.0 });
            T::gemm(
                batch,
                hid,
                g,
                (h, hid, 1),
                (w.w_hh, 1, hid),
                beta,
                &mut hg,
                g,
            );
        }
        for b in 0..batch {
            let xr = &xg[(t * batch + b) * g..][..g];
            // The gates are computed in place in this step's recurrent product.
            let hr = &mut hg[b * g..][..g];
            let hb = &mut h[b * hid..][..hid];
            match kind {
                RnnKind::Lstm => {
                    // aten's LSTM cell: gates = x W_ih^T + b_ih + h W_hh^T + b_hh, chunked
                    // i, f, g, o; c' = f*c + i*g; h' = o * tanh(c').
                    for (v, &x) in hr.iter_mut().zip(xr) {
                        *v += x;
                    }
                    let (if_gates, rest) = hr.split_at_mut(2 * hid);
                    let (cell_gate, out_gate) = rest.split_at_mut(hid);
                    T::sigmoid_slice(if_gates);
                    T::tanh_slice(cell_gate);
                    T::sigmoid_slice(out_gate);
                    let (in_gate, forget_gate) = if_gates.split_at(hid);
                    let cb = &mut c[b * hid..][..hid];
                    for j in 0..hid {
                        let cn = forget_gate[j] * cb[j] + in_gate[j] * cell_gate[j];
                        cb[j] = cn;
                        hb[j] = cn;
                    }
                    T::tanh_slice(hb);
                    for (hv, &o) in hb.iter_mut().zip(out_gate.iter()) {
                        *hv = o * *hv;
                    }
                }
                RnnKind::Gru => {
                    // aten's GRU cell: r, z = sigmoid(x_rz + h_rz); n = tanh(x_n + r * h_n);
                    // h' = (h - n) * z + n.
                    let (rz, hn) = hr.split_at_mut(2 * hid);
                    for (v, &x) in rz.iter_mut().zip(xr) {
                        *v += x;
                    }
                    T::sigmoid_slice(rz);
                    let (r, z) = rz.split_at(hid);
                    for j in 0..hid {
                        hn[j] = xr[2 * hid + j] + hn[j] * r[j];
                    }
                    T::tanh_slice(hn);
                    for j in 0..hid {
                        hb[j] = (hb[j] - hn[j]) * z[j] + hn[j];
                    }
                }
                RnnKind::Tanh => {
                    for j in 0..hid {
                        hb[j] = xr[j] + hr[j];
                    }
                    T::tanh_slice(hb);
                }
                RnnKind::Relu => {
                    for j in 0..hid {
                        let v = xr[j] + hr[j];
                        hb[j] = if v > T::of(0.0) || v.nan() {
                            v
                        } else {
                            T::of(0.0)
                        };
                    }
                }
            }
            out[(t * batch + b) * ostride + ooff..][..hid].copy_from_slice(hb);
        }
    }
}

/// `aten::lstm.input` / `gru.input` / `rnn_tanh.input` / `rnn_relu.input`.
/// `hx` is `[h0]` (or `[h0, c0]` for LSTM), each `[layers*dirs, batch, hidden]`.
/// Returns `(output, h_n)` plus `c_n` for LSTM.
pub fn rnn(
    kind: RnnKind,
    input: &Tensor,
    hx: &[Tensor],
    params: &[Tensor],
    o: RnnOptions,
) -> Result<Vec<Tensor>> {
    let op = kind.name();
    let cd = compute_dtype(op, input.dtype())?;
    if o.train && o.dropout > 0.0 && o.num_layers > 1 {
        return Err(invalid(
            op,
            "dropout in training mode is not supported (tsrun runs inference)",
        ));
    }
    if input.dim() != 3 {
        return Err(invalid(
            op,
            format!("input must have 3 dimensions, got {}", input.dim()),
        ));
    }
    let need_states = if kind == RnnKind::Lstm { 2 } else { 1 };
    if hx.len() != need_states {
        return Err(invalid(
            op,
            format!(
                "expected {need_states} hidden state tensors, got {}",
                hx.len()
            ),
        ));
    }
    let dirs = if o.bidirectional { 2 } else { 1 };
    let per = if o.has_biases { 4 } else { 2 };
    if params.len() != o.num_layers * dirs * per {
        return Err(invalid(
            op,
            format!(
                "expected {} parameter tensors for {} layer(s), {dirs} direction(s), got {} (LSTM projections are not supported)",
                o.num_layers * dirs * per,
                o.num_layers,
                params.len()
            ),
        ));
    }
    let x = if o.batch_first {
        transpose(input, 0, 1)?
    } else {
        input.clone()
    };
    let (steps, batch) = (x.shape()[0], x.shape()[1]);
    let h0 = &hx[0];
    if h0.dim() != 3 || h0.shape()[0] != o.num_layers * dirs || h0.shape()[1] != batch {
        return Err(shape_err(
            op,
            format!(
                "Expected hidden size ({}, {batch}, H), got {:?}",
                o.num_layers * dirs,
                h0.shape()
            ),
        ));
    }
    let hid = h0.shape()[2];
    for t in hx.iter().chain(params) {
        same_dtype(op, "hidden states and parameters", input, t)?;
    }
    let xd = dense(op, &x, cd)?;
    let hd: Vec<Tensor> = hx.iter().map(|t| dense(op, t, cd)).collect::<Result<_>>()?;
    let pd: Vec<Tensor> = params
        .iter()
        .map(|t| dense(op, t, cd))
        .collect::<Result<_>>()?;
    let res = with_real!(cd, T => {
        let mut layer_in: Vec<T> = elems::<T>(&xd).to_vec();
        let mut feat = x.shape()[2];
        let mut h_n = elems::<T>(&hd[0]).to_vec();
        let mut c_n = if kind == RnnKind::Lstm { elems::<T>(&hd[1]).to_vec() } else { vec![T::of(0.0); h_n.len()] };
        for layer in 0..o.num_layers {
            let mut out = vec![T::of(0.0); steps * batch * dirs * hid];
            for d in 0..dirs {
                let base = (layer * dirs + d) * per;
                let w = Weights {
                    w_ih: elems::<T>(&pd[base]),
                    w_hh: elems::<T>(&pd[base + 1]),
                    b_ih: o.has_biases.then(|| elems::<T>(&pd[base + 2])),
                    b_hh: o.has_biases.then(|| elems::<T>(&pd[base + 3])),
                };
                let g = kind.gates() * hid;
                if w.w_ih.len() != g * feat || w.w_hh.len() != g * hid
                    || w.b_ih.is_some_and(|b| b.len() != g) || w.b_hh.is_some_and(|b| b.len() != g)
                {
                    return Err(shape_err(op, format!("parameter shapes of layer {layer} do not match input size {feat} and hidden size {hid}")));
                }
                let si = (layer * dirs + d) * batch * hid;
                let (h, c) = (&mut h_n[si..si + batch * hid], &mut c_n[si..si + batch * hid]);
                run_dir(kind, &layer_in, [steps, batch, feat, hid], &w, h, c, d == 1, &mut out, dirs * hid, d * hid);
            }
            layer_in = out;
            feat = dirs * hid;
        }
        let mut y = Tensor::from_vec(layer_in, &[steps, batch, dirs * hid])?;
        if o.batch_first {
            y = transpose(&y, 0, 1)?.try_contiguous("rnn")?;
        }
        let hs = [o.num_layers * dirs, batch, hid];
        let mut v = vec![y.try_to_dtype("rnn", input.dtype())?, Tensor::from_vec(h_n, &hs)?.try_to_dtype("rnn", input.dtype())?];
        if kind == RnnKind::Lstm {
            v.push(Tensor::from_vec(c_n, &hs)?.try_to_dtype("rnn", input.dtype())?);
        }
        v
    });
    Ok(res)
}

/// One step of a cell (`lstm_cell`, `gru_cell`, `rnn_tanh_cell`, `rnn_relu_cell`).
/// `input` is `[batch, in]` or `[in]`; `hx` is `[h]` or `[h, c]` (LSTM). Returns `[h']`
/// or `[h', c']`.
pub fn cell(
    kind: RnnKind,
    input: &Tensor,
    hx: &[Tensor],
    w_ih: &Tensor,
    w_hh: &Tensor,
    b_ih: Option<&Tensor>,
    b_hh: Option<&Tensor>,
) -> Result<Vec<Tensor>> {
    let op = kind.name();
    let unbatched = input.dim() == 1;
    let add_batch = |t: &Tensor| -> Result<Tensor> {
        if unbatched {
            crate::ops::shape::unsqueeze(t, 0)
        } else {
            Ok(t.clone())
        }
    };
    let x = add_batch(input)?;
    if x.dim() != 2 {
        return Err(invalid(
            op,
            format!(
                "Expected input to be 1D or 2D, got {}D instead",
                input.dim()
            ),
        ));
    }
    let seq = crate::ops::shape::unsqueeze(&x, 0)?;
    let states: Vec<Tensor> = hx
        .iter()
        .map(|h| add_batch(h).and_then(|h| crate::ops::shape::unsqueeze(&h, 0)))
        .collect::<Result<_>>()?;
    let mut params = vec![w_ih.clone(), w_hh.clone()];
    let has_biases = b_ih.is_some() || b_hh.is_some();
    if has_biases {
        let g = w_ih.shape().first().copied().unwrap_or(0);
        let zero = Tensor::try_zeros("cell", &[g], w_ih.dtype())?;
        params.push(b_ih.cloned().unwrap_or_else(|| zero.clone()));
        params.push(b_hh.cloned().unwrap_or(zero));
    }
    let opts = RnnOptions {
        has_biases,
        num_layers: 1,
        dropout: 0.0,
        train: false,
        bidirectional: false,
        batch_first: false,
    };
    let out = rnn(kind, &seq, &states, &params, opts)?;
    // out = [y, h_n, (c_n)]; the new states are h_n (and c_n) without the layer dim.
    out[1..]
        .iter()
        .map(|t| {
            let t = crate::ops::shape::squeeze_dim(t, 0)?;
            if unbatched {
                crate::ops::shape::squeeze_dim(&t, 0)
            } else {
                Ok(t)
            }
        })
        .collect()
}
