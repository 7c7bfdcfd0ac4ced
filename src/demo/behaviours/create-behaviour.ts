import type { Person } from '../population.js';
import type { Prng } from '../prng.js';
import type { Behaviour, BehaviourContext } from './behaviour.js';
import { EmergingBehaviour } from './emerging.js';
import { FadingBehaviour } from './fading.js';
import { HeavyShallowBehaviour } from './heavy-shallow.js';
import { CASUAL, LightBehaviour, REGULAR } from './light.js';
import { PowerBehaviour } from './power.js';

export function createBehaviour(person: Person, ctx: BehaviourContext, rng: Prng): Behaviour {
  switch (person.type) {
    case 'power':
      return new PowerBehaviour(person, ctx, rng);
    case 'heavy_shallow':
      return new HeavyShallowBehaviour(ctx, rng);
    case 'regular':
      return new LightBehaviour(REGULAR, ctx, rng);
    case 'casual':
      return new LightBehaviour(CASUAL, ctx, rng);
    case 'emerging':
      return new EmergingBehaviour(ctx, rng);
    case 'fading':
      return new FadingBehaviour(person, ctx, rng);
  }
}
