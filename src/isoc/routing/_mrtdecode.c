/*
 * isoc.routing._mrtdecode: decode a buffer of whole MRT records (RFC 6396, RFC 6793,
 * RFC 8050) straight into the column buffers of isoc.routing.elements.ELEMENT_SCHEMA.
 *
 * The pure-Python decoder (isoc.routing.mrt) is the reference. This module only handles the
 * regular case and hands everything else back to it: a record whose header is implausible,
 * whose successor's header is implausible, that is torn, or whose body does not decode
 * cleanly (any error, or a damaged NLRI tail that the pure path keeps partially with a
 * warning) makes decode() stop *before* that record with status IRREGULAR, so the caller
 * runs the pure-Python code on it and calls again after it. Whatever this module emits for
 * a record is therefore exactly what the pure path emits, and every warning comes from the
 * pure path.
 *
 * Every read is bounds-checked against the record body; the output is built in growable
 * malloc'd buffers that are copied into bytes objects and freed before returning.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bumped whenever decode() changes what it returns or how; elements.py refuses a stale build. */
#define ABI_VERSION 2

#define MAX_RECORD_LENGTH (64u * 1024u * 1024u)
#define MAX_TIME_JUMP 604800LL /* 7 days, as mrt._MAX_TIME_JUMP */
#define AS_TRANS 23456u
#define SEG_SET 1
#define SEG_SEQUENCE 2
#define SEG_CONFED_SEQUENCE 3
#define SEG_CONFED_SET 4

enum { ST_END = 0, ST_NEED_MORE = 1, ST_IRREGULAR = 2, ST_CAP = 3 };
enum { SRC_TABLE_DUMP = 0, SRC_TABLE_DUMP2 = 1, SRC_TABLE_DUMP2_AP = 2, SRC_BGP4MP = 3 };
enum { KIND_B = 0, KIND_A = 1, KIND_W = 2 };

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ------------------------------------------------------------------------------------------
 * Growable buffers */

typedef struct {
    uint8_t *d;
    size_t len, cap;
} Buf;

static int buf_reserve(Buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len)
        return -1;
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    uint8_t *d = realloc(b->d, cap);
    if (!d)
        return -1;
    b->d = d;
    b->cap = cap;
    return 0;
}

static inline int buf_put(Buf *b, const void *src, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->d + b->len, src, n);
    b->len += n;
    return 0;
}

static void buf_free(Buf *b)
{
    free(b->d);
    b->d = NULL;
    b->len = b->cap = 0;
}

/* ------------------------------------------------------------------------------------------
 * Text formatting, exactly as isoc.routing.mrt.ip_str and bgpdump_format */

static size_t fmt_u32(char *o, uint32_t v)
{
    char t[10];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        o[i] = t[n - 1 - i];
    return n;
}

static size_t fmt_ipv4(char *o, const uint8_t *a)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        if (i)
            o[n++] = '.';
        n += fmt_u32(o + n, a[i]);
    }
    return n;
}

static size_t fmt_hex16(char *o, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    char t[4];
    size_t n = 0;
    do {
        t[n++] = hex[v & 15];
        v >>= 4;
    } while (v);
    for (size_t i = 0; i < n; i++)
        o[i] = t[n - 1 - i];
    return n;
}

/* bgpdump's fmt_ipv6: longest run of zero groups (first of equal runs) compressed even when
 * it is one group; IPv4-mapped as ::ffff:a.b.c.d. At most 39 characters. */
static size_t fmt_ipv6(char *o, const uint8_t *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0) {
        memcpy(o, "::ffff:", 7);
        return 7 + fmt_ipv4(o + 7, a + 12);
    }
    unsigned g[8];
    int best_start = -1, best_len = 0, run_start = -1;
    for (int i = 0; i < 8; i++) {
        g[i] = ((unsigned)a[2 * i] << 8) | a[2 * i + 1];
        if (g[i] == 0) {
            if (run_start < 0)
                run_start = i;
            if (i - run_start + 1 > best_len) {
                best_start = run_start;
                best_len = i - run_start + 1;
            }
        } else {
            run_start = -1;
        }
    }
    size_t n = 0;
    if (best_len == 0) {
        for (int i = 0; i < 8; i++) {
            if (i)
                o[n++] = ':';
            n += fmt_hex16(o + n, g[i]);
        }
        return n;
    }
    for (int i = 0; i < best_start; i++) {
        if (i)
            o[n++] = ':';
        n += fmt_hex16(o + n, g[i]);
    }
    o[n++] = ':';
    o[n++] = ':';
    for (int i = best_start + best_len; i < 8; i++) {
        if (i > best_start + best_len)
            o[n++] = ':';
        n += fmt_hex16(o + n, g[i]);
    }
    return n;
}

static size_t fmt_ip(char *o, const uint8_t *a, int addr_len)
{
    return addr_len == 4 ? fmt_ipv4(o, a) : fmt_ipv6(o, a);
}

/* ------------------------------------------------------------------------------------------
 * Prefixes (mrt._prefix / mrt._prefixes) */

/* One NLRI prefix at *pos (< end): text "addr/len" (masked) into txt (>= 48 bytes). */
static int parse_prefix(const uint8_t *b, size_t *pos, size_t end, int addr_len, char *txt,
                        size_t *txt_len)
{
    size_t p = *pos;
    if (p >= end)
        return -1;
    unsigned bits = b[p];
    if (bits > (unsigned)addr_len * 8)
        return -1;
    size_t nbytes = (bits + 7) / 8;
    p += 1;
    if (nbytes > end - p)
        return -1;
    if (txt) {
        uint8_t raw[16] = {0};
        memcpy(raw, b + p, nbytes);
        if (bits % 8)
            raw[nbytes - 1] &= (uint8_t)(0xFF << (8 - bits % 8));
        size_t n = fmt_ip(txt, raw, addr_len);
        txt[n++] = '/';
        n += fmt_u32(txt + n, bits);
        *txt_len = n;
    }
    *pos = p + nbytes;
    return 0;
}

/* Walk a run of prefixes without output; -1 where the pure path would raise or complain. */
static int check_prefixes(const uint8_t *b, size_t pos, size_t end, int addr_len, int add_path)
{
    while (pos < end) {
        if (add_path) {
            if (end - pos < 4)
                return -1;
            pos += 4;
        }
        if (parse_prefix(b, &pos, end, addr_len, NULL, NULL) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Path attributes (mrt.parse_attributes), validated in one pass, formatted once per set */

typedef struct {
    int has_origin;
    uint8_t origin;
    int has_as_path;
    const uint8_t *as_path;
    size_t as_path_len;
    int has_as4_path;
    const uint8_t *as4_path;
    size_t as4_path_len;
    int has_next_hop;
    const uint8_t *next_hop;
    uint32_t med, local_pref;
    int atomic;
    int has_aggr;
    uint32_t aggr_asn;
    const uint8_t *aggr_ip;
    int has_as4_aggr;
    uint32_t as4_aggr_asn;
    const uint8_t *as4_aggr_ip;
    const uint8_t *comm;
    size_t comm_len;
    int has_mp_reach;
    const uint8_t *hop; /* MP_REACH next hop field */
    size_t hop_len;
    size_t reach_pos, reach_end; /* its prefixes; addr_len 0 = none */
    int reach_addr_len;
    int has_mp_unreach;
    size_t unreach_pos, unreach_end;
    int unreach_addr_len;
} Attrs;

static int afi_len(unsigned afi) { return afi == 1 ? 4 : afi == 2 ? 16 : 0; }

static int check_as_path(const uint8_t *b, size_t pos, size_t end, int asn_len)
{
    while (pos < end) {
        if (end - pos < 2)
            return -1;
        size_t count = b[pos + 1];
        pos += 2;
        if (count * (size_t)asn_len > end - pos)
            return -1;
        pos += count * (size_t)asn_len;
    }
    return 0;
}

static int parse_mp_reach(const uint8_t *b, size_t pos, size_t end, int rib, int add_path,
                          Attrs *a)
{
    a->reach_addr_len = 0;
    a->reach_pos = a->reach_end = 0;
    if (rib) {
        if (pos >= end)
            return -1;
        if (b[pos] != 0) {
            size_t nh_len = b[pos];
            if (nh_len > end - pos - 1)
                return -1;
            a->hop = b + pos + 1;
            a->hop_len = nh_len;
            a->has_mp_reach = 1;
            return 0;
        }
    }
    if (end - pos < 4)
        return -1;
    unsigned afi = be16(b + pos);
    size_t nh_len = b[pos + 3];
    pos += 4;
    if (end - pos < nh_len + 1)
        return -1;
    a->hop = b + pos;
    a->hop_len = nh_len;
    pos += nh_len + 1;
    int addr_len = afi_len(afi);
    if (addr_len) {
        if (check_prefixes(b, pos, end, addr_len, add_path) < 0)
            return -1;
        a->reach_pos = pos;
        a->reach_end = end;
        a->reach_addr_len = addr_len;
    }
    a->has_mp_reach = 1;
    return 0;
}

static int parse_attrs(const uint8_t *b, size_t pos, size_t end, int asn_len, int rib,
                       int add_path, Attrs *a)
{
    memset(a, 0, sizeof *a);
    while (pos < end) {
        if (end - pos < 3)
            return -1;
        unsigned flags = b[pos], code = b[pos + 1];
        size_t alen;
        if (flags & 0x10) {
            if (end - pos < 4)
                return -1;
            alen = be16(b + pos + 2);
            pos += 4;
        } else {
            alen = b[pos + 2];
            pos += 3;
        }
        if (alen > end - pos)
            return -1;
        size_t aend = pos + alen;
        switch (code) {
        case 1: /* ORIGIN */
            if (alen < 1)
                return -1;
            a->has_origin = 1;
            a->origin = b[pos];
            break;
        case 2: /* AS_PATH */
            if (check_as_path(b, pos, aend, asn_len) < 0)
                return -1;
            a->has_as_path = 1;
            a->as_path = b + pos;
            a->as_path_len = alen;
            break;
        case 3: /* NEXT_HOP */
            if (alen != 4)
                return -1;
            a->has_next_hop = 1;
            a->next_hop = b + pos;
            break;
        case 4: /* MED */
            if (alen != 4)
                return -1;
            a->med = be32(b + pos);
            break;
        case 5: /* LOCAL_PREF */
            if (alen != 4)
                return -1;
            a->local_pref = be32(b + pos);
            break;
        case 6:
            a->atomic = 1;
            break;
        case 7:
        case 18: {
            int size = code == 18 ? 4 : asn_len;
            if (alen != (size_t)size + 4)
                return -1;
            uint32_t asn = size == 2 ? be16(b + pos) : be32(b + pos);
            if (code == 7) {
                a->has_aggr = 1;
                a->aggr_asn = asn;
                a->aggr_ip = b + pos + size;
            } else {
                a->has_as4_aggr = 1;
                a->as4_aggr_asn = asn;
                a->as4_aggr_ip = b + pos + size;
            }
            break;
        }
        case 8: /* COMMUNITIES */
            if (alen % 4)
                return -1;
            a->comm = b + pos;
            a->comm_len = alen;
            break;
        case 32: /* LARGE_COMMUNITIES: decoded by the pure path, not printed */
            if (alen % 12)
                return -1;
            break;
        case 14:
            if (parse_mp_reach(b, pos, aend, rib, add_path, a) < 0)
                return -1;
            break;
        case 15: {
            if (alen < 3)
                return -1;
            int addr_len = afi_len(be16(b + pos));
            a->unreach_addr_len = addr_len;
            a->unreach_pos = a->unreach_end = 0;
            if (addr_len) {
                if (check_prefixes(b, pos + 3, aend, addr_len, add_path) < 0)
                    return -1;
                a->unreach_pos = pos + 3;
                a->unreach_end = aend;
            }
            a->has_mp_unreach = 1;
            break;
        }
        case 17: /* AS4_PATH */
            if (check_as_path(b, pos, aend, 4) < 0)
                return -1;
            a->has_as4_path = 1;
            a->as4_path = b + pos;
            a->as4_path_len = alen;
            break;
        default:
            break;
        }
        pos = aend;
    }
    return 0;
}

typedef struct {
    uint8_t type;
    size_t start, count; /* into an ASN pool */
} Seg;

/* Scratch space reused across records within one decode() call. */
typedef struct {
    Buf pool;    /* uint32 ASNs as parsed */
    Buf segs;    /* Seg of AS_PATH */
    Buf segs4;   /* Seg of AS4_PATH */
    Buf mpool;   /* uint32 ASNs of a merged path */
    Buf msegs;   /* Seg of a merged path */
    Buf as_text; /* AS path text */
    Buf comm_text;
} Scratch;

/* Everything a row of an A/B element needs, formatted once per attribute set. */
typedef struct {
    const char *as_path;
    size_t as_path_len;
    const uint32_t *asns; /* flattened path, in order */
    size_t n_asns;
    const uint32_t *asn_pool;
    int64_t origin_asn;
    int8_t origin;
    char nh4[48], nh6[48];
    size_t nh4_len, nh6_len;
    uint32_t local_pref, med;
    uint8_t atomic;
    const char *comm;
    size_t comm_len;
    char aggr[32];
    size_t aggr_len;
} Route;

static int parse_segs(const uint8_t *b, size_t len, int asn_len, Buf *pool, Buf *segs)
{
    size_t pos = 0;
    while (pos < len) {
        Seg s;
        s.type = b[pos];
        s.count = b[pos + 1]; /* check_as_path already bounded every segment */
        s.start = pool->len / sizeof(uint32_t);
        pos += 2;
        if (buf_reserve(pool, s.count * sizeof(uint32_t)) < 0)
            return -1;
        uint32_t *dst = (uint32_t *)(pool->d + pool->len);
        for (size_t i = 0; i < s.count; i++, pos += (size_t)asn_len)
            dst[i] = asn_len == 2 ? be16(b + pos) : be32(b + pos);
        pool->len += s.count * sizeof(uint32_t);
        if (buf_put(segs, &s, sizeof s) < 0)
            return -1;
    }
    return 0;
}

static int64_t path_length(const Seg *s, size_t n)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].type == SEG_SEQUENCE)
            total += (int64_t)s[i].count;
        else if (s[i].type == SEG_SET)
            total += 1;
    }
    return total;
}

static int push_seg(Scratch *sc, uint8_t type, const uint32_t *asns, size_t count)
{
    Seg s = {type, sc->mpool.len / sizeof(uint32_t), count};
    if (buf_put(&sc->mpool, asns, count * sizeof(uint32_t)) < 0)
        return -1;
    return buf_put(&sc->msegs, &s, sizeof s);
}

/* mrt.merge_as4_path into sc->mpool/msegs. */
static int merge_as4(Scratch *sc)
{
    const Seg *A = (const Seg *)sc->segs.d, *B = (const Seg *)sc->segs4.d;
    size_t na = sc->segs.len / sizeof(Seg), nb = sc->segs4.len / sizeof(Seg);
    int64_t keep = path_length(A, na) - path_length(B, nb);
    sc->mpool.len = sc->msegs.len = 0;
    const uint32_t *pool = (const uint32_t *)sc->pool.d;
    if (keep < 0) {
        for (size_t i = 0; i < na; i++)
            if (push_seg(sc, A[i].type, pool + A[i].start, A[i].count) < 0)
                return -1;
        return 0;
    }
    for (size_t i = 0; i < na; i++) {
        if (keep <= 0)
            break;
        if (A[i].type == SEG_SEQUENCE) {
            size_t take = (int64_t)A[i].count < keep ? A[i].count : (size_t)keep;
            if (push_seg(sc, SEG_SEQUENCE, pool + A[i].start, take) < 0)
                return -1;
            keep -= (int64_t)take;
        } else {
            if (push_seg(sc, A[i].type, pool + A[i].start, A[i].count) < 0)
                return -1;
            if (A[i].type == SEG_SET)
                keep -= 1;
        }
    }
    size_t nm = sc->msegs.len / sizeof(Seg);
    for (size_t j = 0; j < nb; j++) {
        /* pool may have moved? No: B lives in sc->pool, merged output in sc->mpool. */
        const uint32_t *asns = (const uint32_t *)sc->pool.d + B[j].start;
        if (j == 0 && nm > 0 && B[0].type == SEG_SEQUENCE &&
            ((Seg *)sc->msegs.d)[nm - 1].type == SEG_SEQUENCE) {
            /* the last merged segment ends the pool: extend it in place */
            if (buf_put(&sc->mpool, asns, B[0].count * sizeof(uint32_t)) < 0)
                return -1;
            ((Seg *)sc->msegs.d)[nm - 1].count += B[0].count;
            continue;
        }
        if (push_seg(sc, B[j].type, asns, B[j].count) < 0)
            return -1;
    }
    return 0;
}

static int append_part_sep(Buf *t, int *first)
{
    if (*first) {
        *first = 0;
        return 0;
    }
    return buf_put(t, " ", 1);
}

/* bgpdump_format.as_path_str, path_asns and elements.origin_asn. */
static int format_path(Scratch *sc, const Seg *segs, size_t n, const uint32_t *pool, Route *r)
{
    Buf *t = &sc->as_text;
    t->len = 0;
    int first = 1;
    char num[12];
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const uint32_t *asns = pool + segs[i].start;
        size_t c = segs[i].count;
        total += c;
        uint8_t type = segs[i].type;
        if (type == SEG_SET || type == SEG_CONFED_SEQUENCE || type == SEG_CONFED_SET) {
            char open = type == SEG_SET ? '{' : type == SEG_CONFED_SET ? '[' : '(';
            char close = type == SEG_SET ? '}' : type == SEG_CONFED_SET ? ']' : ')';
            char sep = type == SEG_CONFED_SEQUENCE ? ' ' : ',';
            if (append_part_sep(t, &first) < 0 || buf_put(t, &open, 1) < 0)
                return -1;
            for (size_t k = 0; k < c; k++) {
                if (k && buf_put(t, &sep, 1) < 0)
                    return -1;
                if (buf_put(t, num, fmt_u32(num, asns[k])) < 0)
                    return -1;
            }
            if (buf_put(t, &close, 1) < 0)
                return -1;
        } else {
            for (size_t k = 0; k < c; k++) {
                if (append_part_sep(t, &first) < 0)
                    return -1;
                if (buf_put(t, num, fmt_u32(num, asns[k])) < 0)
                    return -1;
            }
        }
    }
    r->as_path = (const char *)t->d;
    r->as_path_len = t->len;
    r->asn_pool = pool;
    r->n_asns = total;
    if (n == 0 || segs[n - 1].type != SEG_SEQUENCE || segs[n - 1].count == 0)
        r->origin_asn = -1;
    else
        r->origin_asn = pool[segs[n - 1].start + segs[n - 1].count - 1];
    return 0;
}

static size_t fmt_hop(char *o, const uint8_t *hop, size_t len)
{
    if (len == 4 || len == 16)
        return fmt_ip(o, hop, (int)len);
    if (len == 32)
        return fmt_ipv6(o, hop);
    if (len == 12 || len == 24)
        return fmt_ip(o, hop + 8, (int)len - 8);
    return 0;
}

static int make_route(Scratch *sc, Attrs *a, int asn_len, Route *r)
{
    sc->pool.len = sc->segs.len = sc->segs4.len = 0;
    if (a->has_as_path && parse_segs(a->as_path, a->as_path_len, asn_len, &sc->pool, &sc->segs) < 0)
        return -1;
    const Seg *segs = (const Seg *)sc->segs.d;
    size_t nsegs = sc->segs.len / sizeof(Seg);
    const uint32_t *pool;
    int has_aggr = a->has_aggr;
    uint32_t aggr_asn = a->aggr_asn;
    const uint8_t *aggr_ip = a->aggr_ip;
    int merged = 0;
    if (asn_len == 2) {
        int stale = 0;
        if (a->has_as4_aggr && a->has_aggr) {
            if (a->aggr_asn != AS_TRANS) {
                stale = 1;
            } else {
                aggr_asn = a->as4_aggr_asn;
                aggr_ip = a->as4_aggr_ip;
            }
        }
        if (!stale && a->has_as4_path && a->has_as_path) {
            if (parse_segs(a->as4_path, a->as4_path_len, 4, &sc->pool, &sc->segs4) < 0)
                return -1;
            if (merge_as4(sc) < 0)
                return -1;
            merged = 1;
        }
    }
    if (merged) {
        segs = (const Seg *)sc->msegs.d;
        nsegs = sc->msegs.len / sizeof(Seg);
        pool = (const uint32_t *)sc->mpool.d;
    } else {
        segs = (const Seg *)sc->segs.d;
        pool = (const uint32_t *)sc->pool.d;
    }
    if (format_path(sc, segs, nsegs, pool, r) < 0)
        return -1;
    /* flattened ASNs: segments are contiguous and in order in their pool */
    r->asns = nsegs ? pool + segs[0].start : NULL;

    r->origin = a->has_origin ? (a->origin <= 2 ? (int8_t)a->origin : 2) : 2;

    char hop[48], nh[48];
    size_t hop_len = a->has_mp_reach ? fmt_hop(hop, a->hop, a->hop_len) : 0;
    size_t nh_len = a->has_next_hop ? fmt_ipv4(nh, a->next_hop) : 0;
    /* bgpdump_format._next_hop, for an IPv6 and for an IPv4 prefix */
    if (hop_len) {
        memcpy(r->nh6, hop, hop_len);
        r->nh6_len = hop_len;
    } else if (a->has_next_hop) {
        memcpy(r->nh6, nh, nh_len);
        r->nh6_len = nh_len;
    } else {
        memcpy(r->nh6, "::", 2);
        r->nh6_len = 2;
    }
    if (hop_len && !a->has_next_hop) {
        memcpy(r->nh4, hop, hop_len);
        r->nh4_len = hop_len;
    } else if (a->has_next_hop) {
        memcpy(r->nh4, nh, nh_len);
        r->nh4_len = nh_len;
    } else {
        memcpy(r->nh4, "255.255.255.255", 15);
        r->nh4_len = 15;
    }
    r->local_pref = a->local_pref;
    r->med = a->med;
    r->atomic = (uint8_t)a->atomic;

    Buf *t = &sc->comm_text;
    t->len = 0;
    for (size_t i = 0; i + 4 <= a->comm_len; i += 4) {
        uint32_t c = be32(a->comm + i);
        if (i && buf_put(t, " ", 1) < 0)
            return -1;
        int rc;
        if (c == 0xFFFFFF01u)
            rc = buf_put(t, "no-export", 9);
        else if (c == 0xFFFFFF02u)
            rc = buf_put(t, "no-advertise", 12);
        else if (c == 0xFFFFFF03u)
            rc = buf_put(t, "local-AS", 8);
        else {
            char s[24];
            size_t n = fmt_u32(s, c >> 16);
            s[n++] = ':';
            n += fmt_u32(s + n, c & 0xFFFF);
            rc = buf_put(t, s, n);
        }
        if (rc < 0)
            return -1;
    }
    r->comm = (const char *)t->d;
    r->comm_len = t->len;

    r->aggr_len = 0;
    if (has_aggr) {
        size_t n = fmt_u32(r->aggr, aggr_asn);
        r->aggr[n++] = ' ';
        n += fmt_ipv4(r->aggr + n, aggr_ip);
        r->aggr_len = n;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Output columns */

enum {
    C_SOURCE, C_KIND, C_TS, C_US, C_PEER_IP_OFF, C_PEER_IP, C_PEER_ASN, C_PREFIX_OFF, C_PREFIX,
    C_PATH_ID, C_PATH_ID_VALID, C_ROUTE, C_AS_PATH_OFF, C_AS_PATH, C_ASNS_OFF, C_ASNS,
    C_ORIGIN_ASN, C_ORIGIN, C_NEXT_HOP_OFF, C_NEXT_HOP, C_LOCAL_PREF, C_MED, C_COMM_OFF, C_COMM,
    C_ATOMIC, C_AGGR_OFF, C_AGGR, NCOL
};

typedef struct {
    Buf c[NCOL];
    size_t rows;
} Out;

typedef struct {
    size_t len[NCOL];
    size_t rows;
} Mark;

static void out_mark(const Out *o, Mark *m)
{
    for (int i = 0; i < NCOL; i++)
        m->len[i] = o->c[i].len;
    m->rows = o->rows;
}

static void out_reset(Out *o, const Mark *m)
{
    for (int i = 0; i < NCOL; i++)
        o->c[i].len = m->len[i];
    o->rows = m->rows;
}

/* int32 offsets: refuse to grow a string or list column past what they can address. */
static int put_str(Out *o, int off_col, int data_col, const void *s, size_t n)
{
    Buf *d = &o->c[data_col];
    if (n > (size_t)INT32_MAX - d->len)
        return -1;
    if (buf_put(d, s, n) < 0)
        return -1;
    int32_t end = (int32_t)d->len;
    return buf_put(&o->c[off_col], &end, 4);
}

static int put_asns(Out *o, const uint32_t *asns, size_t n)
{
    Buf *d = &o->c[C_ASNS];
    if (n > ((size_t)INT32_MAX - d->len / 4))
        return -1;
    if (buf_put(d, asns, n * 4) < 0)
        return -1;
    int32_t end = (int32_t)(d->len / 4);
    return buf_put(&o->c[C_ASNS_OFF], &end, 4);
}

typedef struct {
    int8_t source;
    int64_t ts;
    int32_t us;
    const char *peer_ip;
    size_t peer_ip_len;
    uint32_t peer_asn;
} RowHead;

static int emit(Out *o, const RowHead *h, int8_t kind, const char *prefix, size_t prefix_len,
                int has_path_id, uint32_t path_id, const Route *r, int v6)
{
    uint8_t route = r != NULL, pid_valid = (uint8_t)has_path_id, zero8 = 0;
    uint32_t zero32 = 0;
    int64_t no_origin = -1;
    if (buf_put(&o->c[C_SOURCE], &h->source, 1) < 0 || buf_put(&o->c[C_KIND], &kind, 1) < 0 ||
        buf_put(&o->c[C_TS], &h->ts, 8) < 0 || buf_put(&o->c[C_US], &h->us, 4) < 0 ||
        put_str(o, C_PEER_IP_OFF, C_PEER_IP, h->peer_ip, h->peer_ip_len) < 0 ||
        buf_put(&o->c[C_PEER_ASN], &h->peer_asn, 4) < 0 ||
        put_str(o, C_PREFIX_OFF, C_PREFIX, prefix, prefix_len) < 0 ||
        buf_put(&o->c[C_PATH_ID], has_path_id ? &path_id : &zero32, 4) < 0 ||
        buf_put(&o->c[C_PATH_ID_VALID], &pid_valid, 1) < 0 ||
        buf_put(&o->c[C_ROUTE], &route, 1) < 0)
        return -1;
    if (r) {
        int8_t origin = r->origin;
        if (put_str(o, C_AS_PATH_OFF, C_AS_PATH, r->as_path, r->as_path_len) < 0 ||
            put_asns(o, r->asns, r->n_asns) < 0 ||
            buf_put(&o->c[C_ORIGIN_ASN], &r->origin_asn, 8) < 0 ||
            buf_put(&o->c[C_ORIGIN], &origin, 1) < 0 ||
            put_str(o, C_NEXT_HOP_OFF, C_NEXT_HOP, v6 ? r->nh6 : r->nh4,
                    v6 ? r->nh6_len : r->nh4_len) < 0 ||
            buf_put(&o->c[C_LOCAL_PREF], &r->local_pref, 4) < 0 ||
            buf_put(&o->c[C_MED], &r->med, 4) < 0 ||
            put_str(o, C_COMM_OFF, C_COMM, r->comm, r->comm_len) < 0 ||
            buf_put(&o->c[C_ATOMIC], &r->atomic, 1) < 0 ||
            put_str(o, C_AGGR_OFF, C_AGGR, r->aggr, r->aggr_len) < 0)
            return -1;
    } else {
        if (put_str(o, C_AS_PATH_OFF, C_AS_PATH, "", 0) < 0 || put_asns(o, NULL, 0) < 0 ||
            buf_put(&o->c[C_ORIGIN_ASN], &no_origin, 8) < 0 ||
            buf_put(&o->c[C_ORIGIN], &zero8, 1) < 0 ||
            put_str(o, C_NEXT_HOP_OFF, C_NEXT_HOP, "", 0) < 0 ||
            buf_put(&o->c[C_LOCAL_PREF], &zero32, 4) < 0 ||
            buf_put(&o->c[C_MED], &zero32, 4) < 0 ||
            put_str(o, C_COMM_OFF, C_COMM, "", 0) < 0 ||
            buf_put(&o->c[C_ATOMIC], &zero8, 1) < 0 ||
            put_str(o, C_AGGR_OFF, C_AGGR, "", 0) < 0)
            return -1;
    }
    o->rows++;
    return 0;
}

/* Emit one row per prefix of an already validated run. */
static int emit_prefixes(Out *o, const RowHead *h, int8_t kind, const uint8_t *b, size_t pos,
                         size_t end, int addr_len, int add_path, const Route *r)
{
    char txt[64];
    size_t txt_len;
    while (pos < end) {
        uint32_t path_id = 0;
        if (add_path) {
            if (end - pos < 4)
                return -1;
            path_id = be32(b + pos);
            pos += 4;
        }
        if (parse_prefix(b, &pos, end, addr_len, txt, &txt_len) < 0)
            return -1;
        if (emit(o, h, kind, txt, txt_len, add_path, path_id, r, addr_len == 16) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Records */

typedef struct {
    char ip[48];
    size_t ip_len;
    uint32_t asn;
} Peer;

typedef struct {
    Peer *peers;
    size_t count;
    int valid;
} PeerTable;

/* mrt.decode_peer_index_table; -1 where it raises. */
static int parse_peer_table(const uint8_t *b, size_t len, PeerTable *t)
{
    if (len < 8)
        return -1;
    size_t pos = 6 + (size_t)be16(b + 4);
    if (pos > len || len - pos < 2)
        return -1;
    size_t count = be16(b + pos);
    pos += 2;
    Peer *peers = malloc((count ? count : 1) * sizeof(Peer));
    if (!peers)
        return -1;
    for (size_t i = 0; i < count; i++) {
        if (len - pos < 5) {
            free(peers);
            return -1;
        }
        unsigned type = b[pos];
        size_t addr_len = type & 1 ? 16 : 4, asn_len = type & 2 ? 4 : 2;
        pos += 5;
        if (len - pos < addr_len + asn_len) {
            free(peers);
            return -1;
        }
        peers[i].ip_len = fmt_ip(peers[i].ip, b + pos, (int)addr_len);
        pos += addr_len;
        peers[i].asn = asn_len == 4 ? be32(b + pos) : be16(b + pos);
        pos += asn_len;
    }
    free(t->peers);
    t->peers = peers;
    t->count = count;
    t->valid = 1;
    return 0;
}

static int decode_rib(Out *o, Scratch *sc, const PeerTable *pt, unsigned subtype, int64_t ts,
                      const uint8_t *b, size_t len)
{
    int addr_len = (subtype == 4 || subtype == 5 || subtype == 10 || subtype == 11) ? 16 : 4;
    int add_path = subtype >= 8;
    if (len < 5)
        return -1;
    size_t pos = 4;
    char prefix[64];
    size_t prefix_len;
    if (parse_prefix(b, &pos, len, addr_len, prefix, &prefix_len) < 0)
        return -1;
    if (len - pos < 2)
        return -1;
    size_t count = be16(b + pos);
    pos += 2;
    RowHead h = {add_path ? SRC_TABLE_DUMP2_AP : SRC_TABLE_DUMP2, ts, 0, NULL, 0, 0};
    size_t need = add_path ? 12 : 8;
    for (size_t i = 0; i < count; i++) {
        if (len - pos < need)
            return -1;
        size_t peer_index = be16(b + pos);
        uint32_t path_id = add_path ? be32(b + pos + 6) : 0;
        pos += need;
        size_t alen = be16(b + pos - 2);
        if (alen > len - pos)
            return -1;
        Attrs a;
        if (parse_attrs(b, pos, pos + alen, 4, 1, 0, &a) < 0)
            return -1;
        pos += alen;
        if (!pt->valid || peer_index >= pt->count)
            return -1;
        Route r;
        if (make_route(sc, &a, 4, &r) < 0)
            return -1;
        h.peer_ip = pt->peers[peer_index].ip;
        h.peer_ip_len = pt->peers[peer_index].ip_len;
        h.peer_asn = pt->peers[peer_index].asn;
        if (emit(o, &h, KIND_B, prefix, prefix_len, add_path, path_id, &r, addr_len == 16) < 0)
            return -1;
    }
    return 0;
}

static int decode_table_dump(Out *o, Scratch *sc, unsigned subtype, int64_t ts, const uint8_t *b,
                             size_t len)
{
    size_t a = subtype == 2 ? 16 : 4;
    if (len < 14 + 2 * a)
        return -1;
    unsigned bits = b[4 + a];
    if (bits > a * 8)
        return -1;
    char prefix[64], peer_ip[48];
    size_t prefix_len = fmt_ip(prefix, b + 4, (int)a); /* not masked, as the pure path */
    prefix[prefix_len++] = '/';
    prefix_len += fmt_u32(prefix + prefix_len, bits);
    size_t pos = 4 + a + 6;
    size_t peer_ip_len = fmt_ip(peer_ip, b + pos, (int)a);
    pos += a;
    uint32_t peer_as = be16(b + pos);
    size_t alen = be16(b + pos + 2);
    pos += 4;
    if (alen > len - pos)
        return -1;
    Attrs at;
    if (parse_attrs(b, pos, pos + alen, 2, 0, 0, &at) < 0)
        return -1;
    Route r;
    if (make_route(sc, &at, 2, &r) < 0)
        return -1;
    RowHead h = {SRC_TABLE_DUMP, ts, 0, peer_ip, peer_ip_len, peer_as};
    return emit(o, &h, KIND_B, prefix, prefix_len, 0, 0, &r, a == 16);
}

static int decode_bgp4mp(Out *o, Scratch *sc, unsigned subtype, int64_t ts, int32_t us,
                         const uint8_t *b, size_t len)
{
    int as4, add_path, is_state;
    switch (subtype) {
    case 0: as4 = 0; add_path = 0; is_state = 1; break;
    case 1: as4 = 0; add_path = 0; is_state = 0; break;
    case 4: as4 = 1; add_path = 0; is_state = 0; break;
    case 5: as4 = 1; add_path = 0; is_state = 1; break;
    case 6: as4 = 0; add_path = 0; is_state = 0; break;
    case 7: as4 = 1; add_path = 0; is_state = 0; break;
    case 8: as4 = 0; add_path = 1; is_state = 0; break;
    case 9: as4 = 1; add_path = 1; is_state = 0; break;
    case 10: as4 = 0; add_path = 1; is_state = 0; break;
    case 11: as4 = 1; add_path = 1; is_state = 0; break;
    default: return 0; /* the pure path yields nothing */
    }
    int asn_len = as4 ? 4 : 2;
    size_t pos = 2 * (size_t)asn_len + 4;
    if (len < pos)
        return -1;
    uint32_t peer_as = as4 ? be32(b) : be16(b);
    int addr_len = afi_len(be16(b + pos - 2));
    if (!addr_len)
        return -1;
    if (len - pos < 2 * (size_t)addr_len)
        return -1;
    char peer_ip[48];
    size_t peer_ip_len = fmt_ip(peer_ip, b + pos, addr_len);
    pos += 2 * (size_t)addr_len;
    if (is_state)
        return len - pos < 4 ? -1 : 0; /* STATE elements are not route elements */
    if (len - pos < 19)
        return -1;
    size_t msg_len = be16(b + pos + 16);
    if (b[pos + 18] != 2)
        return 0; /* only UPDATE carries routes */
    if (msg_len < 23 || msg_len > len - pos)
        return -1;
    size_t end = pos + msg_len;
    pos += 19;
    size_t wlen = be16(b + pos);
    pos += 2;
    if (wlen + 2 > end - pos)
        return -1;
    size_t wpos = pos;
    if (check_prefixes(b, wpos, wpos + wlen, 4, add_path) < 0)
        return -1;
    pos += wlen;
    size_t alen = be16(b + pos);
    pos += 2;
    if (alen > end - pos)
        return -1;
    Attrs a;
    if (parse_attrs(b, pos, pos + alen, asn_len, 0, add_path, &a) < 0)
        return -1;
    size_t npos = pos + alen;
    if (check_prefixes(b, npos, end, 4, add_path) < 0)
        return -1;
    RowHead h = {SRC_BGP4MP, ts, us, peer_ip, peer_ip_len, peer_as};
    if (emit_prefixes(o, &h, KIND_W, b, wpos, wpos + wlen, 4, add_path, NULL) < 0)
        return -1;
    if (a.has_mp_unreach && a.unreach_addr_len &&
        emit_prefixes(o, &h, KIND_W, b, a.unreach_pos, a.unreach_end, a.unreach_addr_len,
                      add_path, NULL) < 0)
        return -1;
    int announces = npos < end || (a.has_mp_reach && a.reach_addr_len && a.reach_pos < a.reach_end);
    if (!announces)
        return 0;
    Route r;
    if (make_route(sc, &a, asn_len, &r) < 0)
        return -1;
    if (emit_prefixes(o, &h, KIND_A, b, npos, end, 4, add_path, &r) < 0)
        return -1;
    if (a.has_mp_reach && a.reach_addr_len &&
        emit_prefixes(o, &h, KIND_A, b, a.reach_pos, a.reach_end, a.reach_addr_len, add_path,
                      &r) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Framing (mrt.read_records' regular case) */

static int known_type(unsigned t)
{
    return t <= 13 || t == 16 || t == 17 || t == 32 || t == 33 || t == 48 || t == 49;
}

static int plausible(const uint8_t *h, int have_last, int64_t last_ts)
{
    if (!known_type(be16(h + 4)) || be32(h + 8) > MAX_RECORD_LENGTH)
        return 0;
    if (!have_last)
        return 1;
    int64_t d = (int64_t)be32(h) - last_ts;
    return d <= MAX_TIME_JUMP && d >= -MAX_TIME_JUMP;
}

static PyObject *bitmap(const Buf *bytes, size_t n)
{
    PyObject *obj = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((n + 7) / 8));
    if (!obj)
        return NULL;
    uint8_t *bits = (uint8_t *)PyBytes_AS_STRING(obj);
    memset(bits, 0, (n + 7) / 8);
    for (size_t i = 0; i < n; i++)
        if (bytes->d[i])
            bits[i >> 3] |= (uint8_t)(1u << (i & 7));
    return obj;
}

PyDoc_STRVAR(decode_doc,
"decode(buf, start, eof, last_ts, peer_table, max_rows) -> tuple\n\n"
"Decode the whole MRT records of buf[start:] while they are regular. Returns\n"
"(status, pos, last_ts, need, peer_table_span, rows, columns): status 0 = buffer used up,\n"
"1 = need more data (need = bytes wanted from pos), 2 = the record at pos needs the pure\n"
"path, 3 = max_rows reached; pos = where to continue; peer_table_span = (start, end) of the\n"
"last PEER_INDEX_TABLE body decoded, or None; columns = tuple of bytes (see elements.py).");

static PyObject *decode(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t start, max_rows;
    int eof;
    PyObject *last_obj, *peers_obj;
    if (!PyArg_ParseTuple(args, "y*npOOn", &view, &start, &eof, &last_obj, &peers_obj, &max_rows))
        return NULL;
    const uint8_t *buf = view.buf;
    size_t n = (size_t)view.len;
    int have_last = last_obj != Py_None;
    int64_t last_ts = 0;
    PeerTable pt = {NULL, 0, 0};
    Out o;
    Scratch sc;
    memset(&o, 0, sizeof o);
    memset(&sc, 0, sizeof sc);
    PyObject *result = NULL;
    int status = ST_END;
    size_t need = 0;
    Py_ssize_t pit_start = -1, pit_end = -1;

    if (start < 0 || (size_t)start > n) {
        PyErr_SetString(PyExc_ValueError, "start outside the buffer");
        goto done;
    }
    if (have_last) {
        last_ts = PyLong_AsLongLong(last_obj);
        if (last_ts == -1 && PyErr_Occurred())
            goto done;
    }
    if (peers_obj != Py_None) {
        Py_buffer pv;
        if (PyObject_GetBuffer(peers_obj, &pv, PyBUF_SIMPLE) < 0)
            goto done;
        int rc = parse_peer_table(pv.buf, (size_t)pv.len, &pt);
        PyBuffer_Release(&pv);
        if (rc < 0) {
            PyErr_SetString(PyExc_ValueError, "peer table does not decode");
            goto done;
        }
    }
    {
        int32_t zero = 0;
        int offs[] = {C_PEER_IP_OFF, C_PREFIX_OFF, C_AS_PATH_OFF, C_ASNS_OFF, C_NEXT_HOP_OFF,
                      C_COMM_OFF, C_AGGR_OFF};
        for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
            if (buf_put(&o.c[offs[i]], &zero, 4) < 0) {
                PyErr_NoMemory();
                goto done;
            }
    }

    size_t pos = (size_t)start;
    int decoded_any = 0;
    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        if (decoded_any && (o.rows >= (size_t)max_rows || o.c[C_AS_PATH].len > ((size_t)1 << 28) ||
                            o.c[C_COMM].len > ((size_t)1 << 28))) {
            status = ST_CAP;
            break;
        }
        if (n - pos < 12) {
            status = pos == n ? ST_END : ST_NEED_MORE;
            need = 12;
            break;
        }
        const uint8_t *h = buf + pos;
        if (!plausible(h, have_last, last_ts)) {
            status = ST_IRREGULAR;
            break;
        }
        size_t length = be32(h + 8);
        size_t end = pos + 12 + length;
        if (n >= 12 && end <= n - 12) {
            if (!plausible(buf + end, have_last, last_ts)) {
                status = ST_IRREGULAR;
                break;
            }
        } else if (!(eof && end <= n)) {
            status = ST_NEED_MORE;
            need = 12 + length + 12;
            break;
        }
        unsigned type = be16(h + 4), subtype = be16(h + 6);
        int64_t ts = be32(h);
        const uint8_t *body = h + 12;
        int32_t us = 0;
        if (type == 17) {
            if (length < 4) {
                status = ST_IRREGULAR;
                break;
            }
            uint32_t raw_us = be32(body);
            if (raw_us > 999999) { /* damaged: the pure path stores null */
                status = ST_IRREGULAR;
                break;
            }
            us = (int32_t)raw_us;
            body += 4;
            length -= 4;
        }
        Mark m;
        out_mark(&o, &m);
        int rc = 0;
        if (type == 13) {
            if (subtype == 1) {
                rc = parse_peer_table(body, length, &pt);
                if (rc == 0) {
                    pit_start = (Py_ssize_t)(body - buf);
                    pit_end = pit_start + (Py_ssize_t)length;
                }
            } else if ((subtype >= 2 && subtype <= 5) || (subtype >= 8 && subtype <= 11)) {
                rc = decode_rib(&o, &sc, &pt, subtype, ts, body, length);
            }
        } else if (type == 12) {
            rc = decode_table_dump(&o, &sc, subtype, ts, body, length);
        } else if (type == 16 || type == 17) {
            rc = decode_bgp4mp(&o, &sc, subtype, ts, us, body, length);
        }
        if (rc < 0) {
            out_reset(&o, &m);
            status = ST_IRREGULAR;
            break;
        }
        decoded_any = 1;
        have_last = 1;
        last_ts = ts;
        pos = end;
    }
    Py_END_ALLOW_THREADS

    {
        size_t rows = o.rows;
        PyObject *cols = PyTuple_New(NCOL);
        if (!cols)
            goto done;
        for (int i = 0; i < NCOL; i++) {
            PyObject *obj;
            if (i == C_PATH_ID_VALID || i == C_ROUTE || i == C_ATOMIC)
                obj = bitmap(&o.c[i], rows);
            else
                obj = PyBytes_FromStringAndSize((const char *)o.c[i].d, (Py_ssize_t)o.c[i].len);
            if (!obj) {
                Py_DECREF(cols);
                goto done;
            }
            PyTuple_SET_ITEM(cols, i, obj);
        }
        PyObject *span = Py_None;
        Py_INCREF(Py_None);
        if (pit_start >= 0) {
            Py_DECREF(Py_None);
            span = Py_BuildValue("(nn)", pit_start, pit_end);
            if (!span) {
                Py_DECREF(cols);
                goto done;
            }
        }
        PyObject *last = have_last ? PyLong_FromLongLong(last_ts) : (Py_INCREF(Py_None), Py_None);
        if (!last) {
            Py_DECREF(cols);
            Py_DECREF(span);
            goto done;
        }
        result = Py_BuildValue("(inNnNnN)", status, (Py_ssize_t)pos, last, (Py_ssize_t)need,
                               span, (Py_ssize_t)rows, cols);
    }
done:
    PyBuffer_Release(&view);
    for (int i = 0; i < NCOL; i++)
        buf_free(&o.c[i]);
    buf_free(&sc.pool);
    buf_free(&sc.segs);
    buf_free(&sc.segs4);
    buf_free(&sc.mpool);
    buf_free(&sc.msegs);
    buf_free(&sc.as_text);
    buf_free(&sc.comm_text);
    free(pt.peers);
    return result;
}

static PyMethodDef methods[] = {
    {"decode", decode, METH_VARARGS, decode_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_mrtdecode",
    "Compiled MRT decoder: whole records to Arrow column buffers (see isoc.routing.elements).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__mrtdecode(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "ABI_VERSION", ABI_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
