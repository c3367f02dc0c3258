/**
 * The repository of an interview's rows: the one writer of interviews, call attempts, live calls,
 * the outbox, recordings and the stored document. The verticles call it; none writes those tables
 * itself (docs/architecture.md, "The interview's rows").
 *
 * <ul>
 *   <li>{@link dev.parley.repository.Locks}: every statement that locks an interview, its attempts
 *       or a company's slots, and the one order in which a transaction takes them.</li>
 *   <li>{@link dev.parley.repository.Documents}: the stored document, rendered explicitly, once at
 *       the end of each transaction that changes what it shows.</li>
 *   <li>{@link dev.parley.repository.InterviewRows}: the API's writes (create, delete, the call-attempt
 *       endpoints, a company's window change).</li>
 *   <li>{@link dev.parley.repository.CallRows}: the claim, the live call, the end of a call.</li>
 *   <li>{@link dev.parley.repository.PostCallRows}: recording, transcript, analysis.</li>
 *   <li>{@link dev.parley.repository.Outbox}: webhook events and post-call jobs.</li>
 * </ul>
 */
package dev.parley.repository;
