package dev.parley.client;

import dev.parley.client.model.Candidate;
import dev.parley.client.model.CandidateInput;

/** Candidates ({@code parley.api.v1.candidates.*}): create, list, listAll, get, delete. */
public final class Candidates extends Directory<CandidateInput, Candidate> {
  Candidates(ParleyClient client) {
    super(client, "Candidate", CandidateInput::toJson, Candidate::fromJson);
  }
}
