//! Contractions, norms and distances: `einsum`, `tensordot`, `linalg_vector_norm`, `norm`,
//! `frobenius_norm`, `linalg_matrix_norm` (`"fro"`/`"nuc"`), `nuclear_norm`, `linalg_cross`,
//! `cdist`, `cosine_similarity`, `pairwise_distance`.

use tsrun_tensor::ops::{einsum as es, norms, vector as vec_ops};
use tsrun_tensor::{DType, Tensor};

use super::args::{
    bool, float, int, int_list, ok, opt_dtype, opt_int_list, opt_scalar, scalar, str, tensor,
    tensor_list,
};
use super::out_form::write_out;
use super::RegistryBuilder;
use crate::error::RtResult;
use crate::value::Value;

/// `p` of `aten::norm` (`None`: 2).
fn p_arg(a: &[Value], i: usize) -> RtResult<f64> {
    Ok(opt_scalar(a, i)?.map_or(2.0, |s| s.to_f64()))
}

/// `aten::norm.ScalarOpt_dim(self, p, dim, keepdim)` and its dtype form.
fn norm_dim(a: &[Value], dtype: Option<DType>) -> RtResult<Tensor> {
    Ok(norms::vector_norm(
        tensor(a, 0)?,
        p_arg(a, 1)?,
        Some(&int_list(a, 2)?),
        bool(a, 3)?,
        dtype,
    )?)
}

fn nuclear(a: &[Value], dims: &[i64], keepdim: bool) -> RtResult<Tensor> {
    Ok(norms::matrix_norm_str(
        tensor(a, 0)?,
        "nuc",
        dims,
        keepdim,
        None,
    )?)
}

fn matrix_norm(a: &[Value]) -> RtResult<Tensor> {
    Ok(norms::matrix_norm_str(
        tensor(a, 0)?,
        str(a, 1)?,
        &int_list(a, 2)?,
        bool(a, 3)?,
        opt_dtype(a, 4)?,
    )?)
}

fn vector_norm(a: &[Value]) -> RtResult<Tensor> {
    let d = opt_int_list(a, 2)?;
    Ok(norms::vector_norm(
        tensor(a, 0)?,
        scalar(a, 1)?.to_f64(),
        d.as_deref(),
        bool(a, 3)?,
        opt_dtype(a, 4)?,
    )?)
}

pub(crate) fn register(b: &mut RegistryBuilder) {
    b.op(
        "aten::einsum(str equation, Tensor[] tensors, *, int[]? path=None) -> Tensor",
        |a| ok(es::einsum(str(a, 0)?, &tensor_list(a, 1)?)?),
    );
    b.op(
        "aten::tensordot(Tensor self, Tensor other, int[] dims_self, int[] dims_other) -> Tensor",
        |a| {
            ok(es::tensordot(
                tensor(a, 0)?,
                tensor(a, 1)?,
                &int_list(a, 2)?,
                &int_list(a, 3)?,
            )?)
        },
    );
    b.op("aten::tensordot.out(Tensor self, Tensor other, int[] dims_self, int[] dims_other, *, Tensor(a!) out) -> Tensor(a!)", |a| {
        let r = es::tensordot(tensor(a, 0)?, tensor(a, 1)?, &int_list(a, 2)?, &int_list(a, 3)?)?;
        write_out(tensor(a, 4)?, &r)
    });
    b.op("aten::linalg_vector_norm(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", |a| {
        ok(vector_norm(a)?)
    });
    b.op("aten::linalg_vector_norm.out(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None, Tensor(a!) out) -> Tensor(a!)", |a| {
        write_out(tensor(a, 5)?, &vector_norm(a)?)
    });
    b.op(
        "aten::norm.Scalar(Tensor self, Scalar p=2) -> Tensor",
        |a| {
            ok(norms::vector_norm(
                tensor(a, 0)?,
                scalar(a, 1)?.to_f64(),
                None,
                false,
                None,
            )?)
        },
    );
    b.op(
        "aten::norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) -> Tensor",
        |a| ok(norm_dim(a, None)?),
    );
    b.op("aten::norm.ScalarOpt_dim_dtype(Tensor self, Scalar? p, int[1] dim, bool keepdim, *, ScalarType dtype) -> Tensor", |a| {
        ok(norm_dim(a, opt_dtype(a, 4)?)?)
    });
    b.op(
        "aten::norm.ScalarOpt_dtype(Tensor self, Scalar? p, *, ScalarType dtype) -> Tensor",
        |a| {
            ok(norms::vector_norm(
                tensor(a, 0)?,
                p_arg(a, 1)?,
                None,
                false,
                opt_dtype(a, 2)?,
            )?)
        },
    );
    b.op("aten::norm.out(Tensor self, Scalar? p, int[1] dim, bool keepdim=False, *, Tensor(a!) out) -> Tensor(a!)", |a| {
        write_out(tensor(a, 4)?, &norm_dim(a, None)?)
    });
    b.op("aten::norm.dtype_out(Tensor self, Scalar? p, int[1] dim, bool keepdim, *, ScalarType dtype, Tensor(a!) out) -> Tensor(a!)", |a| {
        write_out(tensor(a, 5)?, &norm_dim(a, opt_dtype(a, 4)?)?)
    });
    b.op(
        "aten::frobenius_norm.dim(Tensor self, int[1] dim, bool keepdim=False) -> Tensor",
        |a| {
            ok(norms::vector_norm(
                tensor(a, 0)?,
                2.0,
                Some(&int_list(a, 1)?),
                bool(a, 2)?,
                None,
            )?)
        },
    );
    b.op("aten::frobenius_norm.out(Tensor self, int[1] dim, bool keepdim=False, *, Tensor(a!) out) -> Tensor(a!)", |a| {
        let r = norms::vector_norm(tensor(a, 0)?, 2.0, Some(&int_list(a, 1)?), bool(a, 2)?, None)?;
        write_out(tensor(a, 3)?, &r)
    });
    b.op("aten::linalg_matrix_norm.str_ord(Tensor self, str ord=\"fro\", int[] dim=[-2, -1], bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", |a| {
        ok(matrix_norm(a)?)
    });
    b.op("aten::linalg_matrix_norm.str_ord_out(Tensor self, str ord=\"fro\", int[] dim=[-2, -1], bool keepdim=False, *, ScalarType? dtype=None, Tensor(a!) out) -> Tensor(a!)", |a| {
        write_out(tensor(a, 5)?, &matrix_norm(a)?)
    });
    b.op(
        "aten::nuclear_norm(Tensor self, bool keepdim=False) -> Tensor",
        |a| ok(nuclear(a, &[-2, -1], bool(a, 1)?)?),
    );
    b.op(
        "aten::nuclear_norm.dim(Tensor self, int[2] dim, bool keepdim=False) -> Tensor",
        |a| ok(nuclear(a, &int_list(a, 1)?, bool(a, 2)?)?),
    );
    b.op(
        "aten::nuclear_norm.out(Tensor self, bool keepdim=False, *, Tensor(a!) out) -> Tensor(a!)",
        |a| write_out(tensor(a, 2)?, &nuclear(a, &[-2, -1], bool(a, 1)?)?),
    );
    b.op("aten::nuclear_norm.dim_out(Tensor self, int[2] dim, bool keepdim=False, *, Tensor(a!) out) -> Tensor(a!)", |a| {
        write_out(tensor(a, 3)?, &nuclear(a, &int_list(a, 1)?, bool(a, 2)?)?)
    });
    b.op(
        "aten::linalg_cross(Tensor self, Tensor other, *, int dim=-1) -> Tensor",
        |a| ok(vec_ops::cross(tensor(a, 0)?, tensor(a, 1)?, int(a, 2)?)?),
    );
    b.op(
        "aten::cdist(Tensor x1, Tensor x2, float p=2., int? compute_mode=None) -> Tensor",
        |a| ok(vec_ops::cdist(tensor(a, 0)?, tensor(a, 1)?, float(a, 2)?)?),
    );
    b.op(
        "aten::cosine_similarity(Tensor x1, Tensor x2, int dim=1, float eps=1e-08) -> Tensor",
        |a| {
            ok(vec_ops::cosine_similarity(
                tensor(a, 0)?,
                tensor(a, 1)?,
                int(a, 2)?,
                float(a, 3)?,
            )?)
        },
    );
    b.op("aten::pairwise_distance(Tensor x1, Tensor x2, float p=2., float eps=9.9999999999999995e-07, bool keepdim=False) -> Tensor", |a| {
        ok(vec_ops::pairwise_distance(tensor(a, 0)?, tensor(a, 1)?, float(a, 2)?, float(a, 3)?, bool(a, 4)?)?)
    });
}
