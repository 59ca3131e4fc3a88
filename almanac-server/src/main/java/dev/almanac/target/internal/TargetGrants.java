package dev.almanac.target.internal;

import dev.almanac.common.NamespaceGrants;
import dev.almanac.target.Targets;
import dev.almanac.template.TargetDescription;
import java.util.List;
import org.springframework.stereotype.Component;

/** The targets granted to a namespace, for its page. */
@Component
class TargetGrants implements NamespaceGrants {

    private final Targets targets;

    TargetGrants(Targets targets) {
        this.targets = targets;
    }

    @Override
    public String kind() {
        return "Targets";
    }

    @Override
    public List<String> grantedTo(String namespace) {
        return targets.grantedTargets(namespace).stream()
                .map(TargetDescription::name)
                .toList();
    }
}
