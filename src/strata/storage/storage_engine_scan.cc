// StorageEngine::Scan: pruning (time, stream, token index, trigram filters, min/max), then block decoding and row
// filtering.
#include <re2/filtered_re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <queue>
#include <set>

#include "strata/common/thread_pool.h"
#include "strata/model/time_format.h"
#include "strata/observability/log.h"
#include "strata/storage/head/head_batch_reader.h"
#include "strata/storage/index/ngram_filter.h"
#include "strata/storage/index/token_index.h"
#include "strata/storage/index/tokenizer.h"
#include "strata/storage/storage_engine.h"

namespace strata::storage {

using base::Status;

namespace {

using Kind = Predicate::Kind;

// Token hashes that every matching value must contain, or empty when the predicate cannot use the index.
// A substring's first and last tokens may be parts of longer tokens in the value, so only tokens bounded by
// non-token characters inside the needle count.
std::vector<uint64_t> RequiredTokens(const Predicate& p) {
  std::vector<uint64_t> out;
  if (p.kind == Kind::kContainsToken || p.kind == Kind::kEquals) {
    if (p.kind == Kind::kContainsToken) {
      out.push_back(index::TokenHash(p.value));
      return out;
    }
    index::ForEachToken(p.value, [&](std::string_view t) { out.push_back(index::TokenHash(t)); });
    return out;
  }
  if (p.kind == Kind::kSubstring) {
    const std::string& v = p.value;
    index::ForEachToken(v, [&](std::string_view t) {
      size_t begin = static_cast<size_t>(t.data() - v.data());
      size_t end = begin + t.size();
      if (begin > 0 && end < v.size()) out.push_back(index::TokenHash(t));
    });
  }
  return out;
}

bool IsNumericComparison(Kind k) {
  return k == Kind::kLess || k == Kind::kLessEqual || k == Kind::kGreater || k == Kind::kGreaterEqual;
}

// Could a column chunk with these stats hold a value satisfying the comparison?
bool StatsMayMatch(const ColumnChunk& cc, const Predicate& p) {
  const ColumnStats& s = cc.stats;
  if (!s.numeric) return true;  // strings may still parse as numbers
  // An address or a timestamp is not a number to a Loki label filter, which keeps it (with __error__).
  if (p.non_numbers_match && cc.type != ColumnType::kUint && cc.type != ColumnType::kInt &&
      cc.type != ColumnType::kFloat) {
    return true;
  }
  // A float column's infinities print as "inf"/"-inf", not plain decimals either: kept the same way.
  if (p.non_numbers_match && cc.type == ColumnType::kFloat && (std::isinf(s.min_num) || std::isinf(s.max_num))) {
    return true;
  }
  switch (p.kind) {
    case Kind::kLess: return s.min_num < p.number;
    case Kind::kLessEqual: return s.min_num <= p.number;
    case Kind::kGreater: return s.max_num > p.number;
    case Kind::kGreaterEqual: return s.max_num >= p.number;
    default: return true;
  }
}

// Predicate::Matches for a comparison on a value given as the number std::from_chars reads from its text (NaN:
// the row is empty, whose answer is empty_matches). The text of an infinity ("inf", "-inf") is a number to the
// plain comparison but not a plain decimal, which a non_numbers_match comparison keeps.
bool NumberMatches(const Predicate& p, double d, bool empty_matches) {
  if (std::isnan(d)) return empty_matches;
  if (p.non_numbers_match && std::isinf(d)) return true;
  switch (p.kind) {
    case Kind::kLess: return d < p.number;
    case Kind::kLessEqual: return d <= p.number;
    case Kind::kGreater: return d > p.number;
    case Kind::kGreaterEqual: return d >= p.number;
    default: return false;
  }
}

// What a predicate needs of a block's trigram filter (index/ngram_filter.h) to possibly match there.
struct TrigramPrefilter {
  // Substring-like predicates: every one of these trigrams (the needle's) must be in the filter.
  std::vector<uint32_t> trigrams;
  // Regexes: RE2's prefilter over the literal atoms the regex needs; an atom may be present when all its trigrams
  // are (atoms are lower-case; the filter is case-folded).
  std::unique_ptr<re2::FilteredRE2> regex;
  std::vector<std::vector<uint32_t>> atom_trigrams;
  // Regexes: byte strings every match contains; a row missing one is rejected without running RE2.
  std::vector<std::string> required_literals;
};

// Literal runs that every match of a case-sensitive, all-ASCII regex without alternation or flag groups contains:
// maximal runs of plain characters outside classes and groups, less a last character a quantifier makes optional.
// Anything unusual ends the run (conservative: a missed literal costs speed, a wrong one would drop rows).
// The index of the ']' closing the character class opened at re[open] (re.size() when unterminated).
size_t ClassEnd(const std::string& re, size_t open) {
  size_t i = open + 1;
  if (i < re.size() && re[i] == '^') ++i;
  if (i < re.size() && re[i] == ']') ++i;  // a leading ']' is literal
  while (i < re.size() && re[i] != ']') {
    if (re[i] == '\\') {
      ++i;
    } else if (re[i] == '[' && i + 1 < re.size() && re[i + 1] == ':') {
      size_t end = re.find(":]", i + 2);
      if (end != std::string::npos) i = end + 1;
    }
    ++i;
  }
  return std::min(i, re.size());
}

std::vector<std::string> RequiredLiterals(const std::string& re) {
  std::vector<std::string> out;
  if (re.find('|') != std::string::npos || re.find("(?") != std::string::npos) return out;
  std::string run;
  auto flush = [&] {
    if (run.size() >= 2) out.push_back(run);
    run.clear();
  };
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '*' || c == '?' || c == '{') {
      if (!run.empty()) run.pop_back();  // the quantified character is optional
      flush();
      if (c == '{') {
        while (i < re.size() && re[i] != '}') ++i;
      }
    } else if (c == '+') {
      flush();  // "ab+c" holds "ab" and "bc", never "abc"
    } else if (c == '[') {
      flush();
      i = ClassEnd(re, i);
    } else if (c == '(') {
      flush();
      int depth = 1;  // group contents may be optional ("(ab)?"): skipped
      while (depth > 0 && ++i < re.size()) {
        if (re[i] == '\\') ++i;
        else if (re[i] == '[') i = ClassEnd(re, i);
        else if (re[i] == '(') ++depth;
        else if (re[i] == ')') --depth;
      }
    } else if (c == '\\') {
      if (i + 1 >= re.size()) return {};
      if (std::isalnum(static_cast<unsigned char>(re[i + 1]))) {
        // One-letter classes and assertions end the run; other escapes (\x41, \pL, \Q..., \1) are not parsed
        // here: no literal is claimed for the pattern.
        if (std::string_view("dDsSwWbBAz").find(re[i + 1]) == std::string_view::npos) return {};
        flush();
        ++i;
      } else {
        run.push_back(re[++i]);  // escaped punctuation is itself
      }
    } else if (c == '.' || c == '^' || c == '$' || c == ')' || c == ']' || c == '}' ||
               static_cast<unsigned char>(c) >= 0x80) {
      flush();
    } else {
      run.push_back(c);
    }
  }
  flush();
  return out;
}

// How RE2's atoms of a regex can be checked against case-folded trigrams. Only all-ASCII patterns are: a non-ASCII
// atom may lower-case to other bytes. Case folding (the predicate's flag or a "(?i" flag group) follows Unicode
// rules, where 'k' also matches U+212A KELVIN SIGN and 's' U+017F LATIN SMALL LETTER LONG S (the only ASCII
// letters with non-ASCII case variants): atoms holding either are then assumed present.
enum class RegexTrigrams { kNone, kCaseSensitive, kCaseFolded };
RegexTrigrams RegexTrigramMode(const Predicate& p) {
  const std::string& re = p.value;
  bool folded = p.case_insensitive;
  for (size_t i = 0; i < re.size(); ++i) {
    if (static_cast<unsigned char>(re[i]) >= 0x80) return RegexTrigrams::kNone;
    if (re[i] == '(' && i + 1 < re.size() && re[i + 1] == '?') {
      // Flag groups "(?flags)" or "(?flags:...)": any 'i' may turn case folding on.
      for (size_t j = i + 2; j < re.size() && re[j] != ')' && re[j] != ':'; ++j) folded = folded || re[j] == 'i';
    }
  }
  return folded ? RegexTrigrams::kCaseFolded : RegexTrigrams::kCaseSensitive;
}

TrigramPrefilter MakeTrigramPrefilter(const Predicate& p) {
  TrigramPrefilter f;
  if (p.kind == Kind::kSubstring || p.kind == Kind::kContainsToken || p.kind == Kind::kEquals) {
    f.trigrams = index::TrigramsOf(p.value);
  } else if (RegexTrigrams mode; p.kind == Kind::kRegex && (mode = RegexTrigramMode(p)) != RegexTrigrams::kNone) {
    auto regex = std::make_unique<re2::FilteredRE2>(/*min_atom_len=*/3);
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!p.case_insensitive);
    int id;
    if (regex->Add(p.value, options, &id) != RE2::NoError) return f;
    std::vector<std::string> atoms;
    regex->Compile(&atoms);
    for (const auto& a : atoms) {
      bool unicode_fold = mode == RegexTrigrams::kCaseFolded && a.find_first_of("ks") != std::string::npos;
      f.atom_trigrams.push_back(unicode_fold ? std::vector<uint32_t>{} : index::TrigramsOf(a));  // {}: present
    }
    f.regex = std::move(regex);
    if (mode == RegexTrigrams::kCaseSensitive) f.required_literals = RequiredLiterals(p.value);
  }
  return f;
}

// False when the block's column (null: absent from the block) cannot hold a value matching the predicate.
bool TrigramsMayMatch(const TrigramPrefilter& f, const ColumnChunk* cc) {
  if (!f.trigrams.empty()) {
    if (!cc) return false;  // absent values are "", which holds no needle of 3 bytes or more
    return index::TrigramFilterMayContainAll(cc->trigrams, f.trigrams);
  }
  if (f.regex && cc && !cc->trigrams.empty()) {
    std::vector<int> present;
    for (size_t a = 0; a < f.atom_trigrams.size(); ++a) {
      if (index::TrigramFilterMayContainAll(cc->trigrams, f.atom_trigrams[a])) present.push_back(static_cast<int>(a));
    }
    std::vector<int> potential;
    f.regex->AllPotentials(present, &potential);
    return !potential.empty();
  }
  return true;
}

// What scanning one unit produced; filled on a pool thread, emitted in order on the caller's.
struct UnitResult {
  Status status;
  std::vector<RowBatch> batches;
  std::deque<model::LabelSet> head_labels;  // the stream labels head batches point to (stable addresses)
  ScanStats stats;
};

// A unit of scan work: one block of a part, or one head batch.
struct Unit {
  int64_t min_ts, max_ts;
  const PartReader* part = nullptr;
  uint32_t block = 0;
  const HeadBatch* head = nullptr;
};

class Scanner {
 public:
  Scanner(const ScanRequest& req, const RowBatchVisitor& visit, ScanStats& stats,
          std::shared_ptr<const std::vector<DeleteRequest>> deletes)
      : req_(req), deletes_(std::move(deletes)), visit_(visit), stats_(stats) {
    for (const auto& p : req_.predicates) trigram_prefilters_.push_back(MakeTrigramPrefilter(p));
  }

  // Adds the part's surviving blocks to units.
  void PlanPart(const PartReader& part, std::vector<Unit>& units) {
    ++stats_.parts;
    const auto& blocks = part.blocks();
    stats_.blocks_total += blocks.size();
    // Equality matchers go through the part's label=value stream index; the others are checked on the
    // candidate streams' labels.
    std::vector<char> stream_ok(part.streams().size(), 1);
    for (const auto& m : req_.matchers) {
      if (m.op != LabelMatcher::Op::kEq || m.value.empty()) continue;
      std::vector<char> hit(stream_ok.size(), 0);
      if (const auto* streams = part.StreamsWithLabel(m.name, m.value)) {
        for (uint32_t s : *streams) hit[s] = 1;
      }
      for (size_t s = 0; s < stream_ok.size(); ++s) stream_ok[s] = stream_ok[s] && hit[s];
    }
    for (size_t s = 0; s < stream_ok.size(); ++s) {
      if (!stream_ok[s]) continue;
      for (const auto& m : req_.matchers) {
        if ((m.op != LabelMatcher::Op::kEq || m.value.empty()) && !m.Matches(part.streams()[s].labels)) {
          stream_ok[s] = 0;
          break;
        }
      }
    }
    // Exact token index: the blocks that can match every index-usable predicate.
    std::optional<std::set<uint32_t>> allowed;
    for (const auto& p : req_.predicates) {
      auto tokens = RequiredTokens(p);
      if (tokens.empty()) continue;
      int64_t column = part.ColumnId(p.field);
      std::set<uint32_t> blocks_for_pred;
      if (column >= 0) {
        bool first = true;
        for (uint64_t h : tokens) {
          std::vector<uint32_t> hits;
          part.tokens().Lookup(index::TokenKey(static_cast<uint32_t>(column), h), &hits);
          std::set<uint32_t> hs(hits.begin(), hits.end());
          if (first) {
            blocks_for_pred = std::move(hs);
            first = false;
          } else {
            std::set<uint32_t> both;
            std::set_intersection(blocks_for_pred.begin(), blocks_for_pred.end(), hs.begin(), hs.end(),
                                  std::inserter(both, both.begin()));
            blocks_for_pred = std::move(both);
          }
        }
      }
      if (!allowed) {
        allowed = std::move(blocks_for_pred);
      } else {
        std::set<uint32_t> both;
        std::set_intersection(allowed->begin(), allowed->end(), blocks_for_pred.begin(), blocks_for_pred.end(),
                              std::inserter(both, both.begin()));
        allowed = std::move(both);
      }
    }
    for (uint32_t b = 0; b < blocks.size(); ++b) {
      const auto& bh = blocks[b];
      if (bh.max_ts < req_.from || bh.min_ts > req_.to) {
        ++stats_.blocks_pruned_by_time;
        continue;
      }
      if (!stream_ok[bh.stream]) {
        ++stats_.blocks_pruned_by_stream;
        continue;
      }
      if (allowed && !allowed->count(b)) {
        ++stats_.blocks_pruned_by_token_index;
        continue;
      }
      if (!BlockMayMatch(part, bh)) {
        ++stats_.blocks_pruned_by_bloom_or_minmax;
        continue;
      }
      units.push_back({bh.min_ts, bh.max_ts, &part, b, nullptr});
    }
  }

  bool BlockMayMatch(const PartReader& part, const BlockHeader& bh) {
    for (size_t i = 0; i < req_.predicates.size(); ++i) {
      const Predicate& p = req_.predicates[i];
      int64_t column = part.ColumnId(p.field);
      const ColumnChunk* cc = column >= 0 ? bh.Find(static_cast<uint32_t>(column)) : nullptr;
      if (IsNumericComparison(p.kind)) {
        if (!cc) return false;  // absent values never compare
        if (!StatsMayMatch(*cc, p)) return false;
        continue;
      }
      // Required tokens went through the exact token index already (no bloom is consulted: the index answers
      // the same probes); here only their absence from the block's columns counts.
      if (!RequiredTokens(p).empty() && !cc) return false;
      if ((bh.flags & kBlockFlagTrigramFilter) && !TrigramsMayMatch(trigram_prefilters_[i], cc)) return false;
    }
    return true;
  }

  // Processes units in order, a window of units at a time decoded in parallel on the scan pool; results are
  // emitted in unit order, so order and limit semantics do not depend on the parallelism.
  Status Run(std::vector<Unit>& units, common::ThreadPool* pool) {
    bool backward = req_.direction == Direction::kBackward;
    std::sort(units.begin(), units.end(), [&](const Unit& a, const Unit& b) {
      return backward ? a.max_ts > b.max_ts : a.min_ts < b.min_ts;
    });
    const size_t window = pool ? std::max<size_t>(1, pool->size() * 2) : 1;
    size_t next = 0;
    while (next < units.size()) {
      if (req_.cancel && req_.cancel->load(std::memory_order_relaxed)) {
        return base::Status(base::StatusCode::kCancelled, "scan cancelled");
      }
      if (std::chrono::steady_clock::now() > req_.deadline) {
        return base::Status(base::StatusCode::kDeadlineExceeded, "scan time limit exceeded");
      }
      // The window's units, minus those the limit already excludes (units are sorted, so stop at the first).
      std::vector<const Unit*> batch;
      uint64_t window_bytes = 0;
      while (next < units.size() && batch.size() < window && !LimitReached(units[next])) {
        uint64_t bytes = UnitBytes(units[next]);
        if (!batch.empty() && window_bytes + bytes > req_.memory_budget_bytes) break;
        window_bytes += bytes;
        batch.push_back(&units[next++]);
      }
      if (batch.empty()) break;
      std::vector<UnitResult> results(batch.size());
      std::vector<std::function<void()>> tasks;
      for (size_t k = 0; k < batch.size(); ++k) {
        const Unit* u = batch[k];
        // A block counted from its header costs less than handing it to a worker: do it here.
        if (u->part && CountableFromHeader(*u->part, u->part->blocks()[u->block])) {
          results[k].status = ScanBlock(*u->part, u->block, &results[k]);
          continue;
        }
        tasks.push_back([this, u, r = &results[k]] {
          r->status = u->part ? ScanBlock(*u->part, u->block, r) : ScanHeadBatch(*u->head, r);
        });
      }
      if (pool && tasks.size() > 1) {
        pool->RunAll(tasks);
      } else {
        for (auto& t : tasks) t();
      }
      for (size_t k = 0; k < batch.size(); ++k) {
        UnitResult& r = results[k];
        Merge(r.stats);
        if (r.status.code() == base::StatusCode::kDataLoss && batch[k]->part) {
          // A corrupt chunk costs its block, not the query: report it and serve everything else.
          ++stats_.corrupt_blocks;
          corrupt_errors_.push_back(r.status.message());
          continue;
        }
        RETURN_IF_ERROR(r.status);
        for (const auto& rb : r.batches) {
          stats_.rows_matched += rb.size() + rb.whole_block_rows;
          for (int64_t t : rb.timestamps) NoteEmitted(t);
          if (!visit_(rb)) return Status::Ok();
        }
      }
    }
    return Status::Ok();
  }

 private:
  // With a limit: once `limit` rows were emitted, a unit that lies wholly beyond the limit-th best timestamp
  // cannot contribute, and neither can any later one (units are sorted).
  bool LimitReached(const Unit& u) const {
    if (req_.cutoff_ns) {
      int64_t cutoff = req_.cutoff_ns->load(std::memory_order_relaxed);
      if (req_.direction == Direction::kBackward ? u.max_ts < cutoff : u.min_ts > cutoff) return true;
    }
    if (req_.limit == 0 || best_.size() < req_.limit) return false;
    if (req_.direction == Direction::kBackward) return u.max_ts < -best_.top();
    return u.min_ts > best_.top();
  }

  void NoteEmitted(int64_t ts) {
    if (req_.limit == 0) return;
    // best_ is a max-heap of "badness": for backward, -ts (keep the largest ts); for forward, ts.
    int64_t key = req_.direction == Direction::kBackward ? -ts : ts;
    if (best_.size() < req_.limit) {
      best_.push(key);
    } else if (key < best_.top()) {
      best_.pop();
      best_.push(key);
    }
  }

  static uint64_t UnitBytes(const Unit& u) {
    if (!u.part) return u.head->encoded.size() * 2;
    const auto& bh = u.part->blocks()[u.block];
    uint64_t bytes = bh.timestamps.raw_len;
    for (const auto& c : bh.columns) bytes += c.chunk.raw_len;
    return bytes;
  }

  void Merge(const ScanStats& s) {
    stats_.blocks_read += s.blocks_read;
    stats_.blocks_counted_from_headers += s.blocks_counted_from_headers;
    stats_.head_batches_read += s.head_batches_read;
    stats_.rows_scanned += s.rows_scanned;
    stats_.bytes_decompressed += s.bytes_decompressed;
    stats_.rows_hidden_by_deletes += s.rows_hidden_by_deletes;
  }

  // Runs on a pool thread: touches only `out` and immutable state.
  Status ScanBlock(const PartReader& part, uint32_t block, UnitResult* out) {
    const auto& bh = part.blocks()[block];
    ScanStats& stats = out->stats;
    ++stats.blocks_read;
    uint64_t budget = 0;
    budget += bh.timestamps.raw_len;
    for (const auto& c : bh.columns) budget += c.chunk.raw_len;
    if (budget > req_.memory_budget_bytes) {
      return base::ResourceExhausted("a block needs " + std::to_string(budget) +
                                     " bytes, over the query memory budget of " +
                                     std::to_string(req_.memory_budget_bytes));
    }
    if (CountableFromHeader(part, bh)) {
      --stats.blocks_read;
      ++stats.blocks_counted_from_headers;
      stats.rows_scanned += bh.rows;
      RowBatch batch;
      batch.labels = &part.streams()[bh.stream].labels;
      batch.whole_block_rows = bh.rows;
      batch.block_min_ts = bh.min_ts;
      batch.block_max_ts = bh.max_ts;
      out->batches.push_back(std::move(batch));
      return Status::Ok();
    }
    // The block's decoded timestamps and columns live in per-thread buffers reused from block to block: a fresh
    // multi-MiB message column per block cost page faults and page clearing (a third of a counting scan). Batches
    // copy what they keep, and nothing else outlives this call.
    // The pool holds as many buffers as the most columns one block needed (a deque: references stay valid while
    // it grows), so a thread keeps at most about one decoded block, not one buffer per column id ever seen.
    thread_local std::vector<int64_t> ts;
    thread_local std::deque<StringColumn> column_pool;
    ts.clear();
    RETURN_IF_ERROR(part.ReadTimestamps(block, &ts));
    stats.bytes_decompressed += bh.timestamps.raw_len;
    stats.rows_scanned += bh.rows;
    std::vector<uint32_t> sel;
    sel.reserve(bh.rows);
    for (uint32_t i = 0; i < bh.rows; ++i) {
      if (ts[i] >= req_.from && ts[i] <= req_.to) sel.push_back(i);
    }
    std::vector<uint32_t> decoded;  // column ids read by this call; decoded[i] lives in column_pool[i]
    const model::LabelSet& labels = part.streams()[bh.stream].labels;
    // A column is decoded for the rows of `sel` only (the others read as ""), which are all a caller of `column`
    // looks at: sel only ever shrinks, so a column decoded earlier stays valid for every later selection. A
    // needle decoded whole columns of 16 k rows to output one.
    auto column = [&](uint32_t id) -> base::Result<const StringColumn*> {
      auto found = std::find(decoded.begin(), decoded.end(), id);
      if (found != decoded.end()) return &column_pool[found - decoded.begin()];
      if (column_pool.size() <= decoded.size()) column_pool.emplace_back();
      StringColumn& col = column_pool[decoded.size()];
      col.Clear();
      if (sel.size() < bh.rows) {
        RETURN_IF_ERROR(part.ReadColumnRows(block, id, sel, &col));
      } else {
        RETURN_IF_ERROR(part.ReadColumn(block, id, &col));
      }
      decoded.push_back(id);
      if (const ColumnChunk* cc = bh.Find(id)) stats.bytes_decompressed += cc->chunk.raw_len;
      return &col;
    };
    for (const auto& p : req_.predicates) {
      if (sel.empty()) break;
      int64_t id = part.ColumnId(p.field);
      std::vector<uint32_t> next;
      if (id < 0) {
        // The field is absent from the whole part: every value is "".
        if (p.Matches("")) continue;
        sel.clear();
        break;
      }
      const auto& literals = trigram_prefilters_[static_cast<size_t>(&p - req_.predicates.data())].required_literals;
      // A comparison on a uint/int/float column compares the decoded numbers: no value is formatted to text and
      // parsed back (that was a third of `| latency_ms > N`).
      if (IsNumericComparison(p.kind) && literals.empty() &&
          std::find(decoded.begin(), decoded.end(), static_cast<uint32_t>(id)) == decoded.end()) {
        thread_local std::vector<double> numbers;
        numbers.clear();
        bool exact = false;
        RETURN_IF_ERROR(part.ReadColumnNumbers(block, static_cast<uint32_t>(id), &numbers, &exact));
        if (exact) {
          const ColumnChunk* cc = bh.Find(static_cast<uint32_t>(id));
          if (cc) stats.bytes_decompressed += cc->chunk.raw_len;
          const bool empty_matches = p.Matches("");
          const double* nums = numbers.data();
          // Usually a plain comparison decides every row (an empty row is NaN, which compares false): branch-free
          // selection. Only a float column may hold an infinity that a non_numbers_match comparison keeps.
          if (!empty_matches && !(p.non_numbers_match && cc && cc->type == ColumnType::kFloat)) {
            next.resize(sel.size());
            size_t kept = 0;
            auto select = [&](auto compare) {
              for (uint32_t i : sel) {
                next[kept] = i;
                kept += compare(nums[i], p.number) ? 1 : 0;
              }
            };
            switch (p.kind) {
              case Kind::kLess: select([](double d, double x) { return d < x; }); break;
              case Kind::kLessEqual: select([](double d, double x) { return d <= x; }); break;
              case Kind::kGreater: select([](double d, double x) { return d > x; }); break;
              default: select([](double d, double x) { return d >= x; }); break;
            }
            next.resize(kept);
          } else {
            for (uint32_t i : sel) {
              if (NumberMatches(p, nums[i], empty_matches)) next.push_back(i);
            }
          }
          sel = std::move(next);
          continue;
        }
      }
      auto col = column(static_cast<uint32_t>(id));
      if (!col.ok()) return col.status();
      for (uint32_t i : sel) {
        std::string_view v = (*col)->at(i);
        bool maybe = true;
        for (const auto& lit : literals) maybe = maybe && v.find(lit) != std::string_view::npos;
        if (maybe && p.Matches(v)) next.push_back(i);
      }
      sel = std::move(next);
    }
    // Rows covered by a delete request are hidden from the moment the request is accepted until a rewrite purges
    // them.
    if (!sel.empty() && deletes_) {
      std::vector<const DeleteRequest*> applicable;
      for (const auto& d : *deletes_) {
        if (d.MayMatch(labels, bh.min_ts, bh.max_ts)) applicable.push_back(&d);
      }
      if (!applicable.empty()) {
        auto msgs = column(kMessageColumnId);
        if (!msgs.ok()) return msgs.status();
        std::vector<uint32_t> kept;
        for (uint32_t i : sel) {
          bool hidden = false;
          for (const auto* d : applicable) hidden = hidden || d->Matches(labels, ts[i], (*msgs)->at(i));
          if (!hidden) kept.push_back(i);
        }
        stats.rows_hidden_by_deletes += sel.size() - kept.size();
        sel = std::move(kept);
      }
    }
    if (sel.empty()) return Status::Ok();
    if (req_.direction == Direction::kBackward) std::reverse(sel.begin(), sel.end());
    // Rows are in time order, so what cannot be among the first rows is a tail of sel: rows strictly behind the
    // visitor's cutoff, and rows after the block's first `limit` (keeping those that tie with the last on time,
    // which the visitor orders by other keys). Copying them into the batch was most of a newest-100 query.
    if (req_.cutoff_ns) {
      const int64_t cutoff = req_.cutoff_ns->load(std::memory_order_relaxed);
      const bool backward = req_.direction == Direction::kBackward;
      auto behind = std::find_if(sel.begin(), sel.end(),
                                 [&](uint32_t i) { return backward ? ts[i] < cutoff : ts[i] > cutoff; });
      sel.erase(behind, sel.end());
      if (sel.empty()) return Status::Ok();
    }
    if (req_.limit > 0 && sel.size() > req_.limit) {
      size_t keep = req_.limit;
      while (keep < sel.size() && ts[sel[keep]] == ts[sel[keep - 1]]) ++keep;
      sel.resize(keep);
    }

    RowBatch batch;
    batch.labels = &labels;
    batch.timestamps.reserve(sel.size());
    for (uint32_t i : sel) batch.timestamps.push_back(ts[i]);
    if (req_.need_message) {
      auto msgs = column(kMessageColumnId);
      if (!msgs.ok()) return msgs.status();
      for (uint32_t i : sel) batch.messages.Append((*msgs)->at(i));
    }
    for (const auto& cc : bh.columns) {
      if (cc.column_id == kMessageColumnId) continue;
      const std::string& name = part.column_names()[cc.column_id];
      if (!WantField(name)) continue;
      auto col = column(cc.column_id);
      if (!col.ok()) return col.status();
      StringColumn out;
      for (uint32_t i : sel) out.Append((*col)->at(i));
      batch.fields.emplace_back(name, std::move(out));
    }
    if (req_.prepare) req_.prepare(batch);
    out->batches.push_back(std::move(batch));
    return Status::Ok();
  }

  // Reads the batch as views into its encoded bytes (HeadBatchReader): no string per record, and each distinct
  // label set decoded once; only the rows kept are copied into RowBatches.
  Status ScanHeadBatch(const HeadBatch& hb, UnitResult* out) {
    ScanStats& stats = out->stats;
    ++stats.head_batches_read;
    ASSIGN_OR_RETURN(HeadBatchReader reader, HeadBatchReader::Open(hb.encoded));
    struct Row {
      int64_t ts;
      const model::LabelSet* labels;
      std::string_view message;
      std::vector<std::pair<std::string_view, std::string_view>> fields;
    };
    struct Stream {
      const model::LabelSet* labels;
      bool selected;
    };
    std::vector<std::pair<std::string_view, Stream>> streams;  // by encoded labels; a batch holds few streams
    std::vector<Row> rows;
    HeadRecordView r;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader.Next(&r));
      if (!more) break;
      ++stats.rows_scanned;
      if (r.timestamp_ns < req_.from || r.timestamp_ns > req_.to) continue;
      Stream* stream = nullptr;
      for (auto& [encoded, st] : streams) {
        if (encoded == r.labels) stream = &st;
      }
      if (!stream) {
        auto& labels = out->head_labels.emplace_back();
        RETURN_IF_ERROR(HeadBatchReader::DecodeLabels(r.labels, &labels));
        bool ok = true;
        for (const auto& m : req_.matchers) ok = ok && m.Matches(labels);
        stream = &streams.emplace_back(r.labels, Stream{&labels, ok}).second;
      }
      if (!stream->selected) continue;
      bool ok = true;
      if (deletes_) {
        for (const auto& d : *deletes_) {
          if (d.Matches(*stream->labels, r.timestamp_ns, r.message)) {
            ok = false;
            ++stats.rows_hidden_by_deletes;
            break;
          }
        }
      }
      for (const auto& p : req_.predicates) {
        if (!ok) break;
        std::string_view v;
        if (p.field == kMessageField) {
          v = r.message;
        } else {
          for (const auto& [name, value] : r.fields) {
            if (name == p.field) v = value;
          }
        }
        ok = p.Matches(v);
      }
      if (ok) rows.push_back(Row{r.timestamp_ns, stream->labels, r.message, r.fields});
    }
    // One stream per RowBatch, rows in the requested order.
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      if (a.labels != b.labels && *a.labels != *b.labels) return *a.labels < *b.labels;
      return req_.direction == Direction::kBackward ? a.ts > b.ts : a.ts < b.ts;
    });
    size_t i = 0;
    while (i < rows.size()) {
      size_t j = i;
      while (j < rows.size() && *rows[j].labels == *rows[i].labels) ++j;
      RowBatch batch;
      batch.labels = rows[i].labels;
      std::vector<std::string_view> names;
      for (size_t k = i; k < j; ++k) {
        for (const auto& [name, value] : rows[k].fields) {
          if (!value.empty() && WantField(name) &&
              std::find(names.begin(), names.end(), name) == names.end()) {
            names.push_back(name);
          }
        }
      }
      batch.fields.resize(names.size());
      for (size_t n = 0; n < names.size(); ++n) batch.fields[n].first = std::string(names[n]);
      for (size_t k = i; k < j; ++k) {
        batch.timestamps.push_back(rows[k].ts);
        if (req_.need_message) batch.messages.Append(rows[k].message);
        for (size_t n = 0; n < names.size(); ++n) {
          std::string_view v;
          for (const auto& [name, value] : rows[k].fields) {
            if (name == names[n]) v = value;
          }
          batch.fields[n].second.Append(v);
        }
      }
      if (req_.prepare) req_.prepare(batch);
      out->batches.push_back(std::move(batch));
      i = j;
    }
    return Status::Ok();
  }

  // ScanRequest::whole_block: may this block be emitted as a row count from its header?
  bool CountableFromHeader(const PartReader& part, const BlockHeader& bh) const {
    return req_.whole_block && req_.predicates.empty() && bh.min_ts >= req_.from && bh.max_ts <= req_.to &&
           !NeedsFieldColumn(part, bh) && !DeletesMayTouch(part.streams()[bh.stream].labels, bh) &&
           req_.whole_block(bh.min_ts, bh.max_ts);
  }

  // Would the batch of this block carry a field column (so it cannot be counted from its header)?
  bool NeedsFieldColumn(const PartReader& part, const BlockHeader& bh) const {
    if (req_.need_message) return true;
    for (const auto& cc : bh.columns) {
      if (cc.column_id != kMessageColumnId && WantField(part.column_names()[cc.column_id])) return true;
    }
    return false;
  }

  bool DeletesMayTouch(const model::LabelSet& labels, const BlockHeader& bh) const {
    if (!deletes_) return false;
    for (const auto& d : *deletes_) {
      if (d.MayMatch(labels, bh.min_ts, bh.max_ts)) return true;
    }
    return false;
  }

  bool WantField(std::string_view name) const {
    return req_.all_fields || std::find(req_.fields.begin(), req_.fields.end(), name) != req_.fields.end();
  }

  const ScanRequest& req_;
  std::vector<TrigramPrefilter> trigram_prefilters_;  // one per predicate
  std::shared_ptr<const std::vector<DeleteRequest>> deletes_;

 public:
  std::vector<std::string> corrupt_errors_;

 private:
  const RowBatchVisitor& visit_;
  ScanStats& stats_;
  std::priority_queue<int64_t> best_;
};

}  // namespace

StorageEngine::ReadSnapshot StorageEngine::SnapshotRange(const std::string& tenant, int64_t from, int64_t to) const {
  ReadSnapshot snap;
  std::shared_lock lock(state_mu_);
  uint32_t from_day = from == INT64_MIN ? 0 : model::UtcDayOf(from);
  uint32_t to_day = to == INT64_MAX ? UINT32_MAX : model::UtcDayOf(to);
  for (auto it = partitions_.lower_bound({tenant, from_day});
       it != partitions_.end() && it->first.first == tenant && it->first.second <= to_day; ++it) {
    for (auto& p : it->second->Parts()) {
      if (p->meta().max_ts >= from && p->meta().min_ts <= to) snap.parts.push_back(std::move(p));
    }
  }
  snap.head_batches = head_.Snapshot(tenant, from, to);
  return snap;
}

Status StorageEngine::Scan(const ScanRequest& request, const RowBatchVisitor& visit, ScanStats* stats) const {
  if (!ready()) return base::Unavailable("storage is not ready (WAL replay in progress)");
  ScanStats local;
  ScanStats& s = stats ? *stats : local;
  auto [parts, head_batches] = SnapshotRange(request.tenant, request.from, request.to);
  auto deletes = deletes_->Active(request.tenant);
  Scanner scanner(request, visit, s, deletes && !deletes->empty() ? deletes : nullptr);
  std::vector<Unit> units;
  for (const auto& p : parts) scanner.PlanPart(*p, units);
  for (const auto& hb : head_batches) units.push_back({hb->min_ts, hb->max_ts, nullptr, 0, hb.get()});
  Status st = scanner.Run(units, scan_pool_.get());
  for (const auto& e : scanner.corrupt_errors_) {
    probe_.OnCorruptPart();
    observability::LogError("corrupt block skipped by a scan", {{"error", e}});
  }
  return st;
}

}  // namespace strata::storage
