//! Recurrent operators: `lstm`, `gru`, `rnn_tanh`, `rnn_relu` (`.input` overloads) and the
//! single-step cells.

use tsrun_tensor::ops::nn::rnn::{cell, rnn, RnnKind, RnnOptions};
use tsrun_tensor::Tensor;

use super::args::{bool, float, int, opt_tensor, tensor, tensor_list};
use super::RegistryBuilder;
use crate::error::{RtResult, RuntimeError};
use crate::value::Value;

fn options(a: &[Value], at: usize) -> RtResult<RnnOptions> {
    let layers = int(a, at + 1)?;
    Ok(RnnOptions {
        has_biases: bool(a, at)?,
        num_layers: usize::try_from(layers)
            .map_err(|_| RuntimeError::new(format!("num_layers must be positive, got {layers}")))?,
        dropout: float(a, at + 2)?,
        train: bool(a, at + 3)?,
        bidirectional: bool(a, at + 4)?,
        batch_first: bool(a, at + 5)?,
    })
}

fn tuple(v: Vec<Tensor>) -> RtResult<Value> {
    Ok(Value::tuple(v.into_iter().map(Value::Tensor).collect()))
}

fn seq(kind: RnnKind, a: &[Value]) -> RtResult<Value> {
    let hx = match kind {
        RnnKind::Lstm => tensor_list(a, 1)?,
        _ => vec![tensor(a, 1)?.clone()],
    };
    tuple(rnn(
        kind,
        tensor(a, 0)?,
        &hx,
        &tensor_list(a, 2)?,
        options(a, 3)?,
    )?)
}

fn step(kind: RnnKind, a: &[Value]) -> RtResult<Vec<Tensor>> {
    let hx = match kind {
        RnnKind::Lstm => tensor_list(a, 1)?,
        _ => vec![tensor(a, 1)?.clone()],
    };
    Ok(cell(
        kind,
        tensor(a, 0)?,
        &hx,
        tensor(a, 2)?,
        tensor(a, 3)?,
        opt_tensor(a, 4)?,
        opt_tensor(a, 5)?,
    )?)
}

fn single(v: Vec<Tensor>) -> RtResult<Value> {
    v.into_iter()
        .next()
        .map(Value::Tensor)
        .ok_or_else(|| RuntimeError::new("cell produced no state"))
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op("aten::lstm.input(Tensor input, Tensor[] hx, Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor, Tensor)", |a| seq(RnnKind::Lstm, a));
    b.op("aten::gru.input(Tensor input, Tensor hx, Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor)", |a| seq(RnnKind::Gru, a));
    b.op("aten::rnn_tanh.input(Tensor input, Tensor hx, Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor)", |a| seq(RnnKind::Tanh, a));
    b.op("aten::rnn_relu.input(Tensor input, Tensor hx, Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor)", |a| seq(RnnKind::Relu, a));
    b.op("aten::lstm_cell(Tensor input, Tensor[] hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> (Tensor, Tensor)", |a| {
        tuple(step(RnnKind::Lstm, a)?)
    });
    b.op("aten::gru_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> Tensor", |a| {
        single(step(RnnKind::Gru, a)?)
    });
    b.op("aten::rnn_tanh_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> Tensor", |a| {
        single(step(RnnKind::Tanh, a)?)
    });
    b.op("aten::rnn_relu_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> Tensor", |a| {
        single(step(RnnKind::Relu, a)?)
    });
}
