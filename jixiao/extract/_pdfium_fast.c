/* The per-char and per-path-object loops of pdfium_layer, in C.

Why: through ctypes each pdfium getter costs a call, argument conversions
and a c_float/c_double box to read back, three to four per char and per
path segment; on a dense form page that was most of reading its text layer.
Here the same getters are called directly and their results handed back as
plain Python tuples, which pdfium_layer turns into Glyphs and rules with the
same code as its pure-Python path (``_PyRaw``, the fallback when this module
is not built; tests/test_textlayer.py checks both give the same).

No pdfium header or library at build time: pdfium_layer passes the
addresses of the functions pypdfium2 loaded (``FNS`` below gives their
order) and the page's handles as ints. Results are the getters' raw values
(float32 widened to double, as ctypes does), never rounded or combined
here, so both paths agree to the last bit. A failed getter leaves its output
as the pure-Python path leaves it (the value from the call before).

Also an ASCII85 decoder: the stream check decodes every content stream, and
the standard library's a85decode is a Python loop per byte. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#if defined(_WIN32) && !defined(_WIN64)
#define CALL __stdcall /* pdfium's FPDF_CALLCONV on 32-bit Windows */
#else
#define CALL
#endif

typedef struct { float left, top, right, bottom; } RectF;
typedef struct { float a, b, c, d, e, f; } MatrixF;
typedef void *Handle;

/* The order of the addresses in the tuple pdfium_layer passes (its FNS). */
enum {
    IS_GENERATED, TEXT_OBJECT, LOOSE_BOX, ORIGIN, CHAR_MATRIX, OBJ_FONT, OBJ_FONT_SIZE,
    COUNT_OBJECTS, PAGE_OBJECT, FORM_COUNT, FORM_OBJECT, OBJ_TYPE,
    DRAW_MODE, FILL_COLOR, STROKE_COLOR, OBJ_MATRIX,
    COUNT_SEGMENTS, SEGMENT, SEG_POINT, SEG_TYPE, SEG_CLOSE, OBJ_BOUNDS,
    N_FNS
};

static int fns_of(PyObject *tuple, void **out) {
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) != N_FNS) {
        PyErr_SetString(PyExc_TypeError, "expected the tuple of pdfium function addresses");
        return -1;
    }
    for (Py_ssize_t i = 0; i < N_FNS; i++) {
        out[i] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(tuple, i));
        if (out[i] == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a null pdfium function");
            return -1;
        }
    }
    return 0;
}

/* Append a new reference, consuming it. */
static int take(PyObject *list, PyObject *item) {
    if (item == NULL) return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

/* A text object's char matrix (linear part), font and size: Word writes a
text object per char, nearly all alike, so each distinct one is made a
Python tuple once. Looked up linearly among the first few, then by dict. */
typedef struct { double a, b, c, d, size; void *font; } Info;
#define SCAN 8 /* fixtures have pages with more: both ways are tested */

typedef struct {
    Info scan[SCAN];
    PyObject *list, *index; /* the distinct ones; (tuple -> position) past SCAN */
} Infos;

/* The position of ``info`` among the distinct ones (a new reference), added if new. */
static PyObject *info_index(Infos *in, Info info) {
    Py_ssize_t n = PyList_GET_SIZE(in->list);
    if (n <= SCAN) {
        for (Py_ssize_t k = 0; k < n; k++) {
            Info *o = &in->scan[k];
            if (o->a == info.a && o->b == info.b && o->c == info.c && o->d == info.d && o->font == info.font &&
                o->size == info.size)
                return PyLong_FromSsize_t(k);
        }
    }
    PyObject *tuple = Py_BuildValue("(ddddNd)", info.a, info.b, info.c, info.d, PyLong_FromVoidPtr(info.font), info.size);
    if (tuple == NULL) return NULL;
    if (n >= SCAN) { /* as a dict: tuples equal as their floats are (NaN never) */
        if (in->index == NULL) {
            if ((in->index = PyDict_New()) == NULL) goto fail;
            for (Py_ssize_t k = 0; k < n; k++) {
                PyObject *pos = PyLong_FromSsize_t(k);
                if (pos == NULL || PyDict_SetItem(in->index, PyList_GET_ITEM(in->list, k), pos) < 0) {
                    Py_XDECREF(pos);
                    goto fail;
                }
                Py_DECREF(pos);
            }
        }
        PyObject *pos = PyDict_GetItemWithError(in->index, tuple);
        if (pos != NULL) {
            Py_DECREF(tuple);
            Py_INCREF(pos);
            return pos;
        }
        if (PyErr_Occurred()) goto fail;
    }
    PyObject *pos = PyLong_FromSsize_t(n);
    if (pos == NULL || PyList_Append(in->list, tuple) < 0 ||
        (in->index != NULL && PyDict_SetItem(in->index, tuple, pos) < 0)) {
        Py_XDECREF(pos);
        goto fail;
    }
    if (n < SCAN) in->scan[n] = info;
    Py_DECREF(tuple);
    return pos;
fail:
    Py_DECREF(tuple);
    return NULL;
}

/* chars(fns, textpage, text) -> (rows, objects, infos)

rows: one (char, text object, origin x, origin y, loose box width, loose box
height) per char that is neither a line break nor NUL nor white space PDFium
generated, nor without a text object. objects: per text object, at its
first such char, the position in infos of (a, b, c, d, font, font size) of
its char matrix and the object, infos holding each distinct one once. */
static PyObject *chars(PyObject *self, PyObject *args) {
    PyObject *fns_tuple, *text;
    unsigned long long tp_int;
    if (!PyArg_ParseTuple(args, "OKU", &fns_tuple, &tp_int, &text)) return NULL;
    void *f[N_FNS];
    if (fns_of(fns_tuple, f) < 0) return NULL;
    int (CALL *is_generated)(Handle, int) = f[IS_GENERATED];
    Handle (CALL *text_object)(Handle, int) = f[TEXT_OBJECT];
    int (CALL *loose_box)(Handle, int, RectF *) = f[LOOSE_BOX];
    int (CALL *origin)(Handle, int, double *, double *) = f[ORIGIN];
    int (CALL *char_matrix)(Handle, int, MatrixF *) = f[CHAR_MATRIX];
    Handle (CALL *object_font)(Handle) = f[OBJ_FONT];
    int (CALL *object_font_size)(Handle, float *) = f[OBJ_FONT_SIZE];

    Handle tp = (Handle)(uintptr_t)tp_int;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    RectF rect = {0, 0, 0, 0};
    MatrixF m = {0, 0, 0, 0, 0, 0};
    double ox = 0, oy = 0;
    float size = 0;
    Handle last = NULL;
    PyObject *key = NULL; /* the int of the last text object, shared by its rows */
    Infos infos = {.list = PyList_New(0), .index = NULL};
    PyObject *rows = PyList_New(0), *objects = PyDict_New();
    if (rows == NULL || objects == NULL || infos.list == NULL) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        /* str.isspace, as pdfium_layer._blanks */
        if ((ch == 0 || Py_UNICODE_ISSPACE(ch)) &&
            (ch == '\r' || ch == '\n' || ch == 0 || is_generated(tp, (int)i)))
            continue;
        Handle obj = text_object(tp, (int)i);
        if (obj == NULL) continue;
        if (obj != last) {
            last = obj;
            Py_XDECREF(key);
            key = PyLong_FromVoidPtr(obj);
            if (key == NULL) goto fail;
            int known = PyDict_Contains(objects, key);
            if (known < 0) goto fail;
            if (!known) {
                char_matrix(tp, (int)i, &m);
                Handle font = object_font(obj);
                object_font_size(obj, &size);
                Info info = {(double)m.a, (double)m.b, (double)m.c, (double)m.d, (double)size, font};
                PyObject *pos = info_index(&infos, info);
                if (pos == NULL || PyDict_SetItem(objects, key, pos) < 0) {
                    Py_XDECREF(pos);
                    goto fail;
                }
                Py_DECREF(pos);
            }
        }
        loose_box(tp, (int)i, &rect);
        origin(tp, (int)i, &ox, &oy);
        PyObject *row = Py_BuildValue("(NOdddd)", PyUnicode_FromOrdinal(ch), key, ox, oy,
                                      (double)rect.right - (double)rect.left,
                                      (double)rect.top - (double)rect.bottom);
        if (row != NULL && PyObject_GC_IsTracked(row)) PyObject_GC_UnTrack(row); /* str, int, floats: no cycle */
        if (take(rows, row) < 0) goto fail;
    }
    Py_XDECREF(key);
    Py_XDECREF(infos.index);
    return Py_BuildValue("(NNN)", rows, objects, infos.list);
fail:
    Py_XDECREF(key);
    Py_XDECREF(rows);
    Py_XDECREF(objects);
    Py_XDECREF(infos.list);
    Py_XDECREF(infos.index);
    return NULL;
}

/* The fake-bold test's keys (char, round(x0 * 2), round(top * 2)) as a
set of their own: Python's round is half to even, as rint in the default
rounding mode. Open addressing, grown at half full. */
typedef struct { Py_UCS4 ch; int used; long long x, y; } Key;
typedef struct { Key *slots; size_t size, count; } Seen;

static size_t key_hash(Py_UCS4 ch, long long x, long long y) {
    uint64_t h = (uint64_t)ch * 0x9E3779B97F4A7C15ull ^ (uint64_t)x * 0xC2B2AE3D27D4EB4Full ^ (uint64_t)y;
    return (size_t)(h ^ (h >> 29));
}

/* 1 if the key was there, 0 if added, -1 out of memory */
static int seen_add(Seen *s, Py_UCS4 ch, long long x, long long y) {
    if (2 * (s->count + 1) > s->size) {
        size_t size = s->size ? 2 * s->size : 1024;
        Key *slots = PyMem_Calloc(size, sizeof(Key));
        if (slots == NULL) return -1;
        for (size_t i = 0; i < s->size; i++) {
            Key k = s->slots[i];
            if (!k.used) continue;
            size_t j = key_hash(k.ch, k.x, k.y) & (size - 1);
            while (slots[j].used) j = (j + 1) & (size - 1);
            slots[j] = k;
        }
        PyMem_Free(s->slots);
        s->slots = slots, s->size = size;
    }
    size_t j = key_hash(ch, x, y) & (s->size - 1);
    for (; s->slots[j].used; j = (j + 1) & (s->size - 1))
        if (s->slots[j].ch == ch && s->slots[j].x == x && s->slots[j].y == y) return 1;
    s->slots[j] = (Key){ch, 1, x, y};
    s->count++;
    return 0;
}

static PyObject *glyph(PyTypeObject *type, PyObject *ch, double x0, double top, double x1, double bottom) {
    PyObject *g = type->tp_alloc(type, 5); /* a tuple subclass: tuple.__new__(Glyph, ...) */
    if (g == NULL) return NULL;
    Py_INCREF(ch);
    PyTuple_SET_ITEM(g, 0, ch);
    PyTuple_SET_ITEM(g, 1, PyFloat_FromDouble(x0));
    PyTuple_SET_ITEM(g, 2, PyFloat_FromDouble(top));
    PyTuple_SET_ITEM(g, 3, PyFloat_FromDouble(x1));
    PyTuple_SET_ITEM(g, 4, PyFloat_FromDouble(bottom));
    for (int k = 1; k < 5; k++)
        if (PyTuple_GET_ITEM(g, k) == NULL) { Py_DECREF(g); return NULL; }
    /* A str and four floats cannot be part of a cycle: the collector need
    not look at it (a page holds hundreds, alive across many collections). */
    if (PyObject_GC_IsTracked(g)) PyObject_GC_UnTrack(g);
    return g;
}

/* place(fns, rows, objects, lows, ctm, Glyph) -> (glyphs, None), (None, why unreadable),
or None where a coordinate is too large for the fake-bold test's integers
(the Python loop then reads the page)

pdfium_layer.read_chars's loop for its common case, written again here
because it runs per char: a page not rotated, every char matrix without
rotation or skew (the caller checks), ``lows`` giving each distinct
text object's (descent, ascent) along y, at its position in objects. Same arithmetic in the same order (the build turns
off fused multiply-add), same fake-bold test, same printed-space rules; the
Python loop is the reference it is tested against. */
static PyObject *place(PyObject *self, PyObject *args) {
    PyObject *fns_tuple, *rows, *objects, *lows;
    double ca, cb, cc, cd, ce, cf;
    PyTypeObject *type;
    if (!PyArg_ParseTuple(args, "OO!O!O!(dddddd)O!", &fns_tuple, &PyList_Type, &rows, &PyDict_Type, &objects,
                          &PyList_Type, &lows, &ca, &cb, &cc, &cd, &ce, &cf, &PyType_Type, &type))
        return NULL;
    void *f[N_FNS];
    if (fns_of(fns_tuple, f) < 0) return NULL;
    int (CALL *bounds)(Handle, float *, float *, float *, float *) = f[OBJ_BOUNDS];
    const char *why = NULL;
    int too_large = 0;
    Seen seen = {NULL, 0, 0};
    PyObject *glyphs = PyList_New(0), *blank_runs = PySet_New(NULL);
    void *space_obj = NULL, *last = NULL; /* text objects, by handle */
    double space_x0 = 0, space_x1 = 0, low = 0, high = 0;
    if (glyphs == NULL || blank_runs == NULL) goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(rows); i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 6 || !PyUnicode_Check(PyTuple_GET_ITEM(row, 0)) ||
            PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(row, 0)) != 1) {
            PyErr_SetString(PyExc_TypeError, "rows as chars() gives them");
            goto fail;
        }
        PyObject *ch = PyTuple_GET_ITEM(row, 0), *obj = PyTuple_GET_ITEM(row, 1);
        double x = PyFloat_AsDouble(PyTuple_GET_ITEM(row, 2)), y = PyFloat_AsDouble(PyTuple_GET_ITEM(row, 3));
        double advance = PyFloat_AsDouble(PyTuple_GET_ITEM(row, 4));
        if (PyErr_Occurred()) goto fail;
        void *handle = PyLong_AsVoidPtr(obj);
        if (handle == NULL && PyErr_Occurred()) goto fail;
        if (handle != last) {
            last = handle;
            PyObject *pos = PyDict_GetItemWithError(objects, obj);
            if (pos == NULL) {
                if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, obj);
                goto fail;
            }
            Py_ssize_t k = PyLong_AsSsize_t(pos);
            if (k < 0 || k >= PyList_GET_SIZE(lows)) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "lows");
                goto fail;
            }
            if (!PyArg_ParseTuple(PyList_GET_ITEM(lows, k), "dd", &low, &high)) goto fail;
        }
        double u0 = ca * x + ce, u1 = ca * (x + advance) + ce;
        double v0 = cd * (y + low) + cf, v1 = cd * (y + high) + cf;
        double x0 = u0 <= u1 ? u0 : u1, x1 = u0 <= u1 ? u1 : u0;
        double top = v0 <= v1 ? v0 : v1, bottom = v0 <= v1 ? v1 : v0;
        /* Fake bold overprints each glyph at (almost) the same place. */
        double kx = rint(x0 * 2), ky = rint(top * 2);
        if (!(fabs(kx) < 1e18 && fabs(ky) < 1e18)) { /* NaN included */
            too_large = 1;
            break;
        }
        Py_UCS4 code = PyUnicode_READ_CHAR(ch, 0);
        int dup = seen_add(&seen, code, (long long)kx, (long long)ky);
        if (dup < 0) {
            PyErr_NoMemory();
            goto fail;
        }
        if (dup) continue;
        int is_space = code == ' ';
        if (!is_space && space_obj != NULL) {
            /* A run of printed spaces amid other chars comes back as its
            first one; its length cannot be told from a gap. */
            if (space_obj == handle && x0 - space_x1 > 0.5 * (space_x1 - space_x0)) {
                why = "a run of printed spaces";
                break;
            }
            space_obj = NULL;
        }
        if (take(glyphs, glyph(type, ch, x0, top, x1, bottom)) < 0) goto fail;
        if (!is_space) continue;
        space_obj = handle, space_x0 = x0, space_x1 = x1;
        int known = PySet_Contains(blank_runs, obj);
        if (known < 0 || (!known && PySet_Add(blank_runs, obj) < 0)) goto fail;
        if (known) continue;
        /* pdfium_layer._blank_run: how many spaces an object printing only
        spaces holds (its bounds run from the first origin to the last). */
        float bx0 = 0, by0 = 0, bx1 = 0, by1 = 0;
        bounds(handle, &bx0, &by0, &bx1, &by1);
        if ((double)by1 - (double)by0 > 0.01 || advance <= 0) continue;
        if (fabs((double)bx0 - x) > 0.01) {
            why = "a run of spaces in a form XObject";
            break;
        }
        double count = 1 + rint(((double)bx1 - (double)bx0) / advance);
        for (long k = 1; k < count; k++) { /* the rest of a run printed as an object of its own */
            double dx = ca * (double)k * advance;
            if (take(glyphs, glyph(type, ch, x0 + dx, top, x1 + dx, bottom)) < 0) goto fail;
        }
    }
    PyMem_Free(seen.slots);
    Py_DECREF(blank_runs);
    if (too_large) {
        Py_DECREF(glyphs);
        Py_RETURN_NONE;
    }
    if (why != NULL) {
        Py_DECREF(glyphs);
        return Py_BuildValue("(Os)", Py_None, why);
    }
    return Py_BuildValue("(NO)", glyphs, Py_None);
fail:
    PyMem_Free(seen.slots);
    Py_XDECREF(glyphs);
    Py_XDECREF(blank_runs);
    return NULL;
}

/* objects(fns, handle, is_form) -> [(object, type)] of a page or a form XObject. */
static PyObject *objects(PyObject *self, PyObject *args) {
    PyObject *fns_tuple;
    unsigned long long h;
    int is_form;
    if (!PyArg_ParseTuple(args, "OKp", &fns_tuple, &h, &is_form)) return NULL;
    void *f[N_FNS];
    if (fns_of(fns_tuple, f) < 0) return NULL;
    int (CALL *count_objects)(Handle) = f[COUNT_OBJECTS];
    Handle (CALL *page_object)(Handle, int) = f[PAGE_OBJECT];
    int (CALL *form_count)(Handle) = f[FORM_COUNT];
    Handle (CALL *form_object)(Handle, unsigned long) = f[FORM_OBJECT];
    int (CALL *obj_type)(Handle) = f[OBJ_TYPE];

    Handle container = (Handle)(uintptr_t)h;
    int n = is_form ? form_count(container) : count_objects(container);
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    for (int k = 0; k < n; k++) {
        Handle obj = is_form ? form_object(container, (unsigned long)k) : page_object(container, k);
        if (take(out, Py_BuildValue("(Ni)", PyLong_FromVoidPtr(obj), obj_type(obj))) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

static PyObject *color(int ok, unsigned int *rgba) {
    if (!ok) Py_RETURN_NONE;
    return Py_BuildValue("(III)", rgba[0], rgba[1], rgba[2]);
}

/* path(fns, object) -> (fill mode, stroke, fill rgb or None, stroke rgb or
None, (a, b, c, d, e, f), [(segment type, x, y, closes)]) of a path object. */
static PyObject *path(PyObject *self, PyObject *args) {
    PyObject *fns_tuple;
    unsigned long long h;
    if (!PyArg_ParseTuple(args, "OK", &fns_tuple, &h)) return NULL;
    void *f[N_FNS];
    if (fns_of(fns_tuple, f) < 0) return NULL;
    int (CALL *draw_mode)(Handle, int *, int *) = f[DRAW_MODE];
    int (CALL *fill_color)(Handle, unsigned *, unsigned *, unsigned *, unsigned *) = f[FILL_COLOR];
    int (CALL *stroke_color)(Handle, unsigned *, unsigned *, unsigned *, unsigned *) = f[STROKE_COLOR];
    int (CALL *obj_matrix)(Handle, MatrixF *) = f[OBJ_MATRIX];
    int (CALL *count_segments)(Handle) = f[COUNT_SEGMENTS];
    Handle (CALL *segment)(Handle, int) = f[SEGMENT];
    int (CALL *seg_point)(Handle, float *, float *) = f[SEG_POINT];
    int (CALL *seg_type)(Handle) = f[SEG_TYPE];
    int (CALL *seg_close)(Handle) = f[SEG_CLOSE];

    Handle obj = (Handle)(uintptr_t)h;
    int fill = 0, stroke = 0;
    unsigned int fc[4] = {0, 0, 0, 0}, sc[4] = {0, 0, 0, 0};
    MatrixF m = {0, 0, 0, 0, 0, 0};
    draw_mode(obj, &fill, &stroke);
    int fill_ok = fill_color(obj, &fc[0], &fc[1], &fc[2], &fc[3]);
    int stroke_ok = stroke_color(obj, &sc[0], &sc[1], &sc[2], &sc[3]);
    obj_matrix(obj, &m);
    float x = 0, y = 0;
    int n = count_segments(obj);
    PyObject *segs = PyList_New(0);
    if (segs == NULL) return NULL;
    for (int k = 0; k < n; k++) {
        Handle seg = segment(obj, k);
        seg_point(seg, &x, &y);
        if (take(segs, Py_BuildValue("(iddi)", seg_type(seg), (double)x, (double)y, seg_close(seg))) < 0) {
            Py_DECREF(segs);
            return NULL;
        }
    }
    return Py_BuildValue("(iiNN(dddddd)N)", fill, stroke, color(fill_ok, fc), color(stroke_ok, sc),
                         (double)m.a, (double)m.b, (double)m.c, (double)m.d, (double)m.e, (double)m.f, segs);
}

/* a85decode(data) -> bytes, or None where base64.a85decode would not give
bytes or this is unsure (the caller then asks base64, which says why). Same
rules: white space skipped, "z" for four zero bytes between groups, a last
partial group padded with "u". */
static PyObject *a85decode(PyObject *self, PyObject *args) {
    Py_buffer in;
    if (!PyArg_ParseTuple(args, "y*", &in)) return NULL;
    const unsigned char *s = in.buf;
    Py_ssize_t n = in.len;
    /* at most 4 bytes per "z", and 4 per 5 other bytes (a stream may be large: no more) */
    Py_ssize_t zs = 0;
    for (Py_ssize_t i = 0; i < n; i++) zs += s[i] == 'z';
    PyObject *out = PyBytes_FromStringAndSize(NULL, 4 * zs + (n - zs) / 5 * 4 + 4);
    if (out == NULL) { PyBuffer_Release(&in); return NULL; }
    unsigned char *o = (unsigned char *)PyBytes_AS_STRING(out);
    Py_ssize_t len = 0;
    uint64_t acc = 0;
    int digits = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= '!' && c <= 'u') {
            acc = acc * 85 + (c - 33);
            if (++digits == 5) {
                if (acc > 0xFFFFFFFFu) goto unsure; /* "Ascii85 overflow" */
                o[len++] = acc >> 24; o[len++] = acc >> 16; o[len++] = acc >> 8; o[len++] = acc;
                acc = 0;
                digits = 0;
            }
        } else if (c == 'z' && digits == 0) {
            o[len++] = 0; o[len++] = 0; o[len++] = 0; o[len++] = 0;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v') {
            continue;
        } else {
            goto unsure; /* "z" inside a group, a non-ASCII85 digit */
        }
    }
    if (digits) {
        int kept = digits - 1;
        for (; digits < 5; digits++) acc = acc * 85 + ('u' - 33);
        if (acc > 0xFFFFFFFFu) goto unsure;
        for (int k = 0; k < kept; k++) o[len++] = acc >> (24 - 8 * k);
    }
    PyBuffer_Release(&in);
    if (_PyBytes_Resize(&out, len) < 0) return NULL;
    return out;
unsure:
    PyBuffer_Release(&in);
    Py_DECREF(out);
    Py_RETURN_NONE;
}

/* textlayer.layout_page's per-glyph loop: which cell of which grid holds
each glyph's middle. bucket(glyphs, grids) -> (cells, loose), or None where
a value is not a float (the Python loop then does it).

grids: [(col_edges, row_edges, lookup, number of cells)], lookup giving the
logical cell of fine cell (row * fine columns + column). cells: per grid,
per cell, its glyphs in the order given; loose: the glyphs in no grid. A
glyph's middle is (a + b) / 2 in doubles as in Python, its fine cell
bisect_right's, the first grid holding it wins, as in the Python loop (the
reference it is tested against). */
typedef struct {
    double *cols, *rows;
    Py_ssize_t ncols, nrows; /* edges */
    Py_ssize_t *lookup;
    PyObject *cells;
} Bins;

static Py_ssize_t bisect_right(const double *a, Py_ssize_t n, double x) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (x < a[mid]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* A tuple of floats as doubles (1), or 0 where one is not a float, -1 on error. */
static int floats_of(PyObject *tuple, double **out, Py_ssize_t *n) {
    if (!PyTuple_Check(tuple)) return 0;
    *n = PyTuple_GET_SIZE(tuple);
    if (*n < 2) return 0;
    if ((*out = PyMem_Malloc(*n * sizeof(double))) == NULL) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < *n; i++) {
        PyObject *v = PyTuple_GET_ITEM(tuple, i);
        if (!PyFloat_CheckExact(v)) return 0;
        (*out)[i] = PyFloat_AS_DOUBLE(v);
    }
    return 1;
}

static PyObject *bucket(PyObject *self, PyObject *args) {
    PyObject *glyphs, *grids, *loose = NULL, *all = NULL, *result = NULL;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &glyphs, &PyList_Type, &grids)) return NULL;
    Py_ssize_t ngrids = PyList_GET_SIZE(grids);
    Bins *bins = PyMem_Calloc(ngrids ? ngrids : 1, sizeof(Bins));
    if (bins == NULL) return PyErr_NoMemory();
    int usable = 1;
    for (Py_ssize_t gi = 0; gi < ngrids && usable == 1; gi++) {
        Bins *b = &bins[gi];
        PyObject *spec = PyList_GET_ITEM(grids, gi), *cols, *rows, *lookup;
        Py_ssize_t ncells;
        if (!PyArg_ParseTuple(spec, "OOO!n", &cols, &rows, &PyList_Type, &lookup, &ncells)) goto done;
        if ((usable = floats_of(cols, &b->cols, &b->ncols)) != 1) break;
        if ((usable = floats_of(rows, &b->rows, &b->nrows)) != 1) break;
        Py_ssize_t fine = (b->ncols - 1) * (b->nrows - 1);
        if (PyList_GET_SIZE(lookup) != fine || ncells < 0) { usable = 0; break; }
        if ((b->lookup = PyMem_Malloc((fine ? fine : 1) * sizeof(Py_ssize_t))) == NULL) { PyErr_NoMemory(); goto done; }
        for (Py_ssize_t k = 0; k < fine; k++) {
            Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(lookup, k));
            if (v == -1 && PyErr_Occurred()) goto done;
            if (v < 0 || v >= ncells) { usable = 0; break; }
            b->lookup[k] = v;
        }
        if (usable != 1) break;
        if ((b->cells = PyList_New(ncells)) == NULL) goto done;
        for (Py_ssize_t k = 0; k < ncells; k++) {
            PyObject *cell = PyList_New(0);
            if (cell == NULL) goto done;
            PyList_SET_ITEM(b->cells, k, cell);
        }
    }
    if (usable != 1) {
        if (usable == 0) { result = Py_None; Py_INCREF(result); }
        goto done;
    }
    if ((loose = PyList_New(0)) == NULL) goto done;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(glyphs); i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i);
        if (!PyTuple_Check(g) || PyTuple_GET_SIZE(g) != 5) { usable = 0; break; }
        double v[4];
        for (int k = 0; k < 4; k++) {
            PyObject *x = PyTuple_GET_ITEM(g, k + 1);
            if (!PyFloat_CheckExact(x)) { usable = 0; break; }
            v[k] = PyFloat_AS_DOUBLE(x);
        }
        if (!usable) break;
        double cx = (v[0] + v[2]) / 2, cy = (v[1] + v[3]) / 2;
        PyObject *into = loose;
        for (Py_ssize_t gi = 0; gi < ngrids; gi++) {
            Bins *b = &bins[gi];
            if (b->cols[0] <= cx && cx < b->cols[b->ncols - 1] && b->rows[0] <= cy && cy < b->rows[b->nrows - 1]) {
                Py_ssize_t col = bisect_right(b->cols, b->ncols, cx) - 1, row = bisect_right(b->rows, b->nrows, cy) - 1;
                into = PyList_GET_ITEM(b->cells, b->lookup[row * (b->ncols - 1) + col]);
                break;
            }
        }
        if (PyList_Append(into, g) < 0) goto done;
    }
    if (!usable) { result = Py_None; Py_INCREF(result); goto done; }
    if ((all = PyList_New(ngrids)) == NULL) goto done;
    for (Py_ssize_t gi = 0; gi < ngrids; gi++) {
        PyList_SET_ITEM(all, gi, bins[gi].cells);
        bins[gi].cells = NULL;
    }
    result = PyTuple_Pack(2, all, loose);
done:
    for (Py_ssize_t gi = 0; gi < ngrids; gi++) {
        PyMem_Free(bins[gi].cols);
        PyMem_Free(bins[gi].rows);
        PyMem_Free(bins[gi].lookup);
        Py_XDECREF(bins[gi].cells);
    }
    PyMem_Free(bins);
    Py_XDECREF(loose);
    Py_XDECREF(all);
    return result;
}

/* text.glyphs_text's and text.group_lines' per-glyph work: glyph_lines(glyphs,
join_one) -> the glyphs' text left to right (a str) where join_one and they
share one middle (top + bottom, as the set of them has one member), else
their lines as [(glyphs, sum of middles)], top to bottom; or None where a
glyph is not (str, four finite floats) (the Python code then does it, as
for any order a NaN would give). Sorting: stable, by x0; lines by (middle,
x0) then by their mean middle, the float arithmetic in Python's order (the
build turns off fused multiply-add). text.py's loops are the reference it
is tested against. */
typedef struct { double k1, k2; Py_ssize_t i; } SortKey;

static int by_keys(const void *a, const void *b) {
    const SortKey *x = a, *y = b;
    if (x->k1 < y->k1) return -1;
    if (x->k1 > y->k1) return 1;
    if (x->k2 < y->k2) return -1;
    if (x->k2 > y->k2) return 1;
    return (x->i > y->i) - (x->i < y->i); /* equal keys keep their order: a stable sort */
}

static PyObject *glyph_lines(PyObject *self, PyObject *args) {
    PyObject *glyphs, *result = NULL;
    int join_one;
    if (!PyArg_ParseTuple(args, "O!p", &PyList_Type, &glyphs, &join_one)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(glyphs);
    double *v = PyMem_Malloc((n ? n : 1) * 4 * sizeof(double));
    SortKey *keys = PyMem_Malloc((n ? n : 1) * sizeof(SortKey));
    if (v == NULL || keys == NULL) {
        PyMem_Free(v);
        PyMem_Free(keys);
        return PyErr_NoMemory();
    }
    int one = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *g = PyList_GET_ITEM(glyphs, i);
        if (!PyTuple_Check(g) || PyTuple_GET_SIZE(g) != 5 || !PyUnicode_Check(PyTuple_GET_ITEM(g, 0))) goto python;
        for (int k = 0; k < 4; k++) {
            PyObject *x = PyTuple_GET_ITEM(g, k + 1);
            if (!PyFloat_CheckExact(x)) goto python;
            v[4 * i + k] = PyFloat_AS_DOUBLE(x);
            if (!isfinite(v[4 * i + k])) goto python;
        }
        double middles = v[4 * i + 1] + v[4 * i + 3];
        if (!isfinite(middles)) goto python;
        if (i && middles != v[1] + v[3]) one = 0;
    }
    if (join_one && one) {
        for (Py_ssize_t i = 0; i < n; i++) keys[i] = (SortKey){v[4 * i], 0, i};
        qsort(keys, n, sizeof(SortKey), by_keys);
        PyObject *parts = PyList_New(n);
        if (parts == NULL) goto done;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *t = PyTuple_GET_ITEM(PyList_GET_ITEM(glyphs, keys[i].i), 0);
            Py_INCREF(t);
            PyList_SET_ITEM(parts, i, t);
        }
        PyObject *empty = PyUnicode_New(0, 0);
        if (empty != NULL) result = PyUnicode_Join(empty, parts);
        Py_XDECREF(empty);
        Py_DECREF(parts);
        goto done;
    }
    /* group_lines: by (middle, x0); a glyph joins the line before while its
    middle is within 0.45 of its size (at least 1) of the line's mean middle */
    for (Py_ssize_t i = 0; i < n; i++) keys[i] = (SortKey){(v[4 * i + 1] + v[4 * i + 3]) / 2, v[4 * i], i};
    qsort(keys, n, sizeof(SortKey), by_keys);
    PyObject *lines = PyList_New(0), *members = NULL;
    if (lines == NULL) goto done;
    double total = 0, line_mid = 0;
    Py_ssize_t count = 0;
    SortKey *order = PyMem_Malloc((n ? n : 1) * sizeof(SortKey)); /* per line: (mean middle, -, line) */
    if (order == NULL) {
        Py_DECREF(lines);
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t nlines = 0;
    for (Py_ssize_t k = 0; k <= n; k++) {
        double mid = 0, size = 0;
        if (k < n) {
            mid = keys[k].k1;
            size = v[4 * keys[k].i + 3] - v[4 * keys[k].i + 1];
        }
        if (k < n && count && fabs(mid - line_mid) <= 0.45 * (1.0 > size ? 1.0 : size)) {
            if (PyList_Append(members, PyList_GET_ITEM(glyphs, keys[k].i)) < 0) goto fail_lines;
            total += mid;
            count += 1;
        } else {
            if (count) {
                PyObject *line = Py_BuildValue("(Od)", members, total);
                Py_CLEAR(members);
                if (line == NULL || take(lines, line) < 0) goto fail_lines;
                order[nlines] = (SortKey){total / (double)count, 0, nlines};
                nlines++;
            }
            if (k == n) break;
            if ((members = PyList_New(0)) == NULL || PyList_Append(members, PyList_GET_ITEM(glyphs, keys[k].i)) < 0)
                goto fail_lines;
            total = 0.0 + mid; /* the sum Line starts with */
            count = 1;
        }
        line_mid = total / (double)count;
    }
    /* the lines top to bottom by their mean middle (a stable sort) */
    qsort(order, nlines, sizeof(SortKey), by_keys);
    result = PyList_New(nlines);
    if (result != NULL)
        for (Py_ssize_t k = 0; k < nlines; k++) {
            PyObject *line = PyList_GET_ITEM(lines, order[k].i);
            Py_INCREF(line);
            PyList_SET_ITEM(result, k, line);
        }
fail_lines:
    Py_XDECREF(members);
    Py_DECREF(lines);
    PyMem_Free(order);
    goto done;
python:
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(v);
    PyMem_Free(keys);
    return result;
}

/* Python's round(x, digits) for a finite x: the same correctly rounded
decimal digits (dtoa, mode 3) read back as the nearest double; a value that
is not finite is itself, as round leaves it. 0 on success. */
static int round_to(double x, int digits, double *out) {
    if (!isfinite(x)) {
        *out = x;
        return 0;
    }
    char *text = PyOS_double_to_string(x, 'f', digits, 0, NULL);
    if (text == NULL) return -1;
    *out = PyOS_string_to_double(text, NULL, NULL);
    PyMem_Free(text);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

/* subpaths(segments, matrix, digits) -> [([(x, y), ...], closed)]

pdfium_layer._subpaths: each subpath's end points (a Bezier curve by its
end point only) under the matrix, rounded to ``digits`` as round() does,
and whether it is closed; a closed subpath that PDFium ended with a segment
back to its start loses that point. Segments as path() gives them. */
static PyObject *subpaths(PyObject *self, PyObject *args) {
    PyObject *segments;
    double a, b, c, d, e, f;
    int digits, moveto, bezierto;
    if (!PyArg_ParseTuple(args, "O!(dddddd)iii", &PyList_Type, &segments, &a, &b, &c, &d, &e, &f, &digits, &moveto,
                          &bezierto))
        return NULL;
    PyObject *out = PyList_New(0), *current = PyList_New(0); /* points before any move-to join the first subpath */
    if (out == NULL || current == NULL) {
        Py_XDECREF(out);
        Py_XDECREF(current);
        return NULL;
    }
    int closed = 0;
    long bezier = 0;
    for (Py_ssize_t k = 0; k <= PyList_GET_SIZE(segments); k++) {
        int kind = moveto, closes = 0;
        double x = 0, y = 0;
        if (k < PyList_GET_SIZE(segments)) {
            if (!PyArg_ParseTuple(PyList_GET_ITEM(segments, k), "iddi", &kind, &x, &y, &closes)) goto fail;
        }
        if (kind == moveto) { /* and past the last segment: the subpath so far is done */
            if (current != NULL && PyList_GET_SIZE(current)) {
                Py_ssize_t n = PyList_GET_SIZE(current);
                /* PDFium closes a subpath with a segment back to its start ("re" included); PLAYA's "h" adds none */
                if (closed && n > 2) {
                    int same = PyObject_RichCompareBool(PyList_GET_ITEM(current, n - 1), PyList_GET_ITEM(current, 0), Py_EQ);
                    if (same < 0 || (same && PyList_SetSlice(current, n - 1, n, NULL) < 0)) goto fail;
                }
                if (take(out, Py_BuildValue("(OO)", current, closed ? Py_True : Py_False)) < 0) goto fail;
            }
            Py_CLEAR(current);
            if (k == PyList_GET_SIZE(segments)) break;
            if ((current = PyList_New(0)) == NULL) goto fail;
            closed = 0, bezier = 0;
        } else if (kind == bezierto && ++bezier % 3) {
            continue; /* the two control points */
        }
        double px, py;
        if (round_to(a * x + c * y + e, digits, &px) < 0 || round_to(b * x + d * y + f, digits, &py) < 0) goto fail;
        if (take(current, Py_BuildValue("(dd)", px, py)) < 0) goto fail;
        if (kind != moveto && closes) closed = 1;
    }
    return out;
fail:
    Py_XDECREF(current);
    Py_DECREF(out);
    return NULL;
}

/* rules(fns, page, ctm, used, Segment, constants) -> (strokes, rects, blanks),
a str (why the page is unreadable: pdfium_layer.Unreadable), or None where
forms nest deeper than MAX_FORMS (the Python walk then reads the page)

pdfium_layer.read_rules' walk (_Walk, rules_from_subpaths, _subpaths) in
one pass: the page's objects and, descended into, its form XObjects'; a
path drawn in a colour that is not white gives its rules (a filled thin
closed subpath a rule rectangle in rects, a stroked subpath its
axis-aligned edges as Segments in strokes); a text object no char came
from (not in ``used``) goes to blanks as [object, its outer matrix, the
text object with chars before it, the one after]. Same arithmetic in the
same order (matrices as pagebox.mult, points rounded as round() does, min
and max as Python's), the same checks; the Python walk is the reference. */
#define MAX_FORMS 64

typedef struct {
    void **f;
    PyObject *used, *segment, *strokes, *rects, *blanks, *waiting, *last_text;
    int text, path, form, moveto, bezierto, digits, white_from;
    double thin;
} Walk;

static PyObject *matrix_tuple(const double *m) {
    return Py_BuildValue("(dddddd)", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* m1 then m0, as pagebox.mult */
static void mult(const double *m1, const double *m0, double *out) {
    out[0] = m0[0] * m1[0] + m0[2] * m1[1];
    out[1] = m0[1] * m1[0] + m0[3] * m1[1];
    out[2] = m0[0] * m1[2] + m0[2] * m1[3];
    out[3] = m0[1] * m1[2] + m0[3] * m1[3];
    out[4] = m0[0] * m1[4] + m0[2] * m1[5] + m0[4];
    out[5] = m0[1] * m1[4] + m0[3] * m1[5] + m0[5];
}

/* geometry.rules_from_subpaths for one subpath (n points, x and y arrays) */
static int subpath_rules(Walk *w, const double *x, const double *y, Py_ssize_t n, int closed, int filled, int stroked) {
    if (n < 2) return 0;
    double x0 = x[0], y0 = y[0], x1 = x[0], y1 = y[0];
    for (Py_ssize_t i = 1; i < n; i++) { /* min and max as Python's: the first of equals, NaN as it falls */
        if (x[i] < x0) x0 = x[i];
        if (y[i] < y0) y0 = y[i];
        if (x[i] > x1) x1 = x[i];
        if (y[i] > y1) y1 = y[i];
    }
    double width = x1 - x0, height = y1 - y0, least = height < width ? height : width;
    if (filled && closed && least <= w->thin)
        return take(w->rects, Py_BuildValue("(dddd)", x0, y0, x1, y1));
    if (!stroked) return 0;
    Py_ssize_t edges = closed ? n : n - 1;
    for (Py_ssize_t i = 0; i < edges; i++) {
        double ax = x[i], ay = y[i], bx = x[(i + 1) % n], by = y[(i + 1) % n];
        if (fabs(ax - bx) < 0.5 || fabs(ay - by) < 0.5) { /* rules are axis-aligned */
            PyObject *seg = PyObject_CallFunction(w->segment, "dddd", bx < ax ? bx : ax, by < ay ? by : ay,
                                                  bx > ax ? bx : ax, by > ay ? by : ay);
            if (take(w->strokes, seg) < 0) return -1;
        }
    }
    return 0;
}

/* one path object's rules (pdfium_layer._subpaths, then the rules) */
static int path_rules(Walk *w, Handle obj, const double *outer) {
    int (CALL *draw_mode)(Handle, int *, int *) = w->f[DRAW_MODE];
    int (CALL *fill_color)(Handle, unsigned *, unsigned *, unsigned *, unsigned *) = w->f[FILL_COLOR];
    int (CALL *stroke_color)(Handle, unsigned *, unsigned *, unsigned *, unsigned *) = w->f[STROKE_COLOR];
    int (CALL *obj_matrix)(Handle, MatrixF *) = w->f[OBJ_MATRIX];
    int (CALL *count_segments)(Handle) = w->f[COUNT_SEGMENTS];
    Handle (CALL *segment)(Handle, int) = w->f[SEGMENT];
    int (CALL *seg_point)(Handle, float *, float *) = w->f[SEG_POINT];
    int (CALL *seg_type)(Handle) = w->f[SEG_TYPE];
    int (CALL *seg_close)(Handle) = w->f[SEG_CLOSE];
    int fill = 0, stroke = 0;
    unsigned int fc[4] = {0, 0, 0, 0}, sc[4] = {0, 0, 0, 0};
    MatrixF mf = {0, 0, 0, 0, 0, 0};
    draw_mode(obj, &fill, &stroke);
    int fill_ok = fill_color(obj, &fc[0], &fc[1], &fc[2], &fc[3]);
    int stroke_ok = stroke_color(obj, &sc[0], &sc[1], &sc[2], &sc[3]);
    obj_matrix(obj, &mf);
    /* _visible: no colour PDFium can give (a pattern) is ink; else not white */
    unsigned wf = (unsigned)w->white_from;
    int filled = fill && (!fill_ok || fc[0] < wf || fc[1] < wf || fc[2] < wf);
    int stroked = stroke && (!stroke_ok || sc[0] < wf || sc[1] < wf || sc[2] < wf);
    if (!filled && !stroked) return 0;
    double m1[6] = {mf.a, mf.b, mf.c, mf.d, mf.e, mf.f}, m[6];
    mult(m1, outer, m);
    int n = count_segments(obj);
    double *x = PyMem_Malloc((n > 0 ? n : 1) * sizeof(double)), *y = PyMem_Malloc((n > 0 ? n : 1) * sizeof(double));
    int r = 0;
    if (x == NULL || y == NULL) {
        PyErr_NoMemory();
        r = -1;
        goto out;
    }
    Py_ssize_t count = 0; /* points of the current subpath, from x[0] */
    int closed = 0;
    long bezier = 0;
    for (int k = 0; k <= n; k++) {
        int kind = w->moveto, closes = 0;
        float fx = 0, fy = 0;
        if (k < n) {
            Handle seg = segment(obj, k);
            seg_point(seg, &fx, &fy);
            kind = seg_type(seg);
            closes = seg_close(seg);
        }
        if (kind == w->moveto) {
            if (count) {
                if (closed && count > 2 && x[count - 1] == x[0] && y[count - 1] == y[0]) count--;
                if ((r = subpath_rules(w, x, y, count, closed, filled, stroked)) < 0) goto out;
            }
            if (k == n) break;
            count = 0, closed = 0, bezier = 0;
        } else if (kind == w->bezierto && ++bezier % 3) {
            continue;
        }
        double px, py, vx = (double)fx, vy = (double)fy;
        if ((r = round_to(m[0] * vx + m[2] * vy + m[4], w->digits, &px)) < 0 ||
            (r = round_to(m[1] * vx + m[3] * vy + m[5], w->digits, &py)) < 0)
            goto out;
        x[count] = px, y[count] = py, count++;
        if (kind != w->moveto && closes) closed = 1;
    }
out:
    PyMem_Free(x);
    PyMem_Free(y);
    return r;
}

/* 0 done, -1 error, 1 unreadable (*why set), 2 too deep */
static int walk_objects(Walk *w, Handle container, int is_form, const double *outer, PyObject *outer_tuple, int depth,
                        const char **why) {
    int (CALL *count_objects)(Handle) = w->f[COUNT_OBJECTS];
    Handle (CALL *page_object)(Handle, int) = w->f[PAGE_OBJECT];
    int (CALL *form_count)(Handle) = w->f[FORM_COUNT];
    Handle (CALL *form_object)(Handle, unsigned long) = w->f[FORM_OBJECT];
    int (CALL *obj_type)(Handle) = w->f[OBJ_TYPE];
    int (CALL *obj_matrix)(Handle, MatrixF *) = w->f[OBJ_MATRIX];
    int n = is_form ? form_count(container) : count_objects(container);
    /* the outer matrix for this container's blanks: the page's own tuple, a form's made once */
    if (outer_tuple != NULL) Py_INCREF(outer_tuple);
    int r = 0;
    for (int k = 0; k < n && r == 0; k++) {
        Handle obj = is_form ? form_object(container, (unsigned long)k) : page_object(container, k);
        int kind = obj_type(obj);
        if (kind == w->text) {
            PyObject *key = PyLong_FromVoidPtr(obj);
            if (key == NULL) { r = -1; break; }
            int known = PyDict_Contains(w->used, key);
            if (known < 0) {
                Py_DECREF(key);
                r = -1;
                break;
            }
            if (known) {
                Py_SETREF(w->last_text, key);
                for (Py_ssize_t i = 0; i < PyList_GET_SIZE(w->waiting); i++) {
                    PyObject *blank = PyList_GET_ITEM(w->waiting, i);
                    Py_INCREF(key);
                    PyList_SetItem(blank, 3, key);
                }
                if (PyList_SetSlice(w->waiting, 0, PyList_GET_SIZE(w->waiting), NULL) < 0) r = -1;
            } else {
                if (outer_tuple == NULL && (outer_tuple = matrix_tuple(outer)) == NULL) {
                    Py_DECREF(key);
                    r = -1;
                    break;
                }
                PyObject *blank = Py_BuildValue("[NOOO]", key, outer_tuple, w->last_text, Py_None);
                if (blank == NULL || PyList_Append(w->blanks, blank) < 0 || PyList_Append(w->waiting, blank) < 0) r = -1;
                Py_XDECREF(blank);
            }
        } else if (kind == w->path) {
            r = path_rules(w, obj, outer);
        } else if (kind == w->form) {
            MatrixF mf = {0, 0, 0, 0, 0, 0};
            obj_matrix(obj, &mf);
            double m1[6] = {mf.a, mf.b, mf.c, mf.d, mf.e, mf.f}, inner[6];
            mult(m1, outer, inner);
            if (form_count(obj) <= 0) {
                /* PDFium drops a form whose stream does not decode without a word: PLAYA tells */
                *why = "an empty form XObject";
                r = 1;
            } else if (depth >= MAX_FORMS) {
                r = 2;
            } else {
                r = walk_objects(w, obj, 1, inner, NULL, depth + 1, why);
            }
        }
    }
    Py_XDECREF(outer_tuple);
    return r;
}

static PyObject *rules(PyObject *self, PyObject *args) {
    PyObject *fns_tuple, *ctm_tuple;
    unsigned long long h;
    double ctm[6];
    Walk w = {0};
    if (!PyArg_ParseTuple(args, "OKO!O!O(iiiiiiid)", &fns_tuple, &h, &PyTuple_Type, &ctm_tuple, &PyDict_Type, &w.used,
                          &w.segment, &w.text, &w.path, &w.form, &w.moveto, &w.bezierto, &w.digits, &w.white_from,
                          &w.thin))
        return NULL;
    if (!PyArg_ParseTuple(ctm_tuple, "dddddd", &ctm[0], &ctm[1], &ctm[2], &ctm[3], &ctm[4], &ctm[5])) return NULL;
    void *f[N_FNS];
    if (fns_of(fns_tuple, f) < 0) return NULL;
    w.f = f;
    w.strokes = PyList_New(0), w.rects = PyList_New(0), w.blanks = PyList_New(0), w.waiting = PyList_New(0);
    w.last_text = Py_None;
    Py_INCREF(Py_None);
    PyObject *result = NULL;
    if (w.strokes && w.rects && w.blanks && w.waiting) {
        const char *why = NULL;
        int r = walk_objects(&w, (Handle)(uintptr_t)h, 0, ctm, ctm_tuple, 0, &why);
        if (r == 0) result = PyTuple_Pack(3, w.strokes, w.rects, w.blanks);
        else if (r == 1) result = PyUnicode_FromString(why);
        else if (r == 2) { result = Py_None; Py_INCREF(result); }
    }
    Py_XDECREF(w.strokes);
    Py_XDECREF(w.rects);
    Py_XDECREF(w.blanks);
    Py_XDECREF(w.waiting);
    Py_XDECREF(w.last_text);
    return result;
}

static PyMethodDef methods[] = {
    {"chars", chars, METH_VARARGS, "A text page's printed chars, raw (see the C source)."},
    {"place", place, METH_VARARGS, "Glyphs from chars' rows on an upright page (see the C source)."},
    {"objects", objects, METH_VARARGS, "The objects of a page or a form XObject, with their types."},
    {"path", path, METH_VARARGS, "A path object's draw mode, colours, matrix and segments, raw."},
    {"bucket", bucket, METH_VARARGS, "Glyphs into the cells of grids (see the C source)."},
    {"glyph_lines", glyph_lines, METH_VARARGS, "A cell's glyphs as one line's text or as lines (see the C source)."},
    {"subpaths", subpaths, METH_VARARGS, "A path's subpaths in page space, rounded (see the C source)."},
    {"rules", rules, METH_VARARGS, "A page's rules and blank text objects, its forms descended into (see the C source)."},
    {"a85decode", a85decode, METH_VARARGS, "ASCII85 as base64.a85decode, or None where unsure."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_fast", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfium_fast(void) {
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "N_FNS", N_FNS) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
